import Foundation
import HubConfigKit

extension HubConfig {
    /// `risk:` as written in the YAML.
    struct RawRisk: Decodable {
        var rules: RawRules

        struct RawRules: Decodable {
            var consumerQuota: RawRule<RawQuota>?
            var splitOrders: RawRule<RawSplit>?
            var identitySpread: RawRule<RawSpread>?
            var valueGap: RawRule<RawValueGap>?
            var volumeChange: RawRule<RawVolume>?
            var blacklistLinks: RawRule<RawNoParameters>?

            enum CodingKeys: String, CodingKey {
                case consumerQuota = "consumer_quota"
                case splitOrders = "split_orders"
                case identitySpread = "identity_spread"
                case valueGap = "value_gap"
                case volumeChange = "volume_change"
                case blacklistLinks = "blacklist_links"
            }
        }

        /// A rule's common keys and its own parameters, side by side in one mapping.
        struct RawRule<Parameters: Decodable>: Decodable {
            var common: RawCommon
            var parameters: Parameters

            init(from decoder: any Decoder) throws {
                common = try RawCommon(from: decoder)
                parameters = try Parameters(from: decoder)
            }
        }

        struct RawCommon: Decodable {
            var action: String?
            var severity: String?
            var notify: [String]?
            var reviewers: [String]?
        }

        struct RawNoParameters: Decodable {
            init(from decoder: any Decoder) throws {}
        }

        struct RawQuota: Decodable {
            var perPurchaseCny: Double?
            var perYearCny: Double?
            var tradeModes: [String]?

            enum CodingKeys: String, CodingKey {
                case perPurchaseCny = "per_purchase_cny"
                case perYearCny = "per_year_cny"
                case tradeModes = "trade_modes"
            }
        }

        struct RawSplit: Decodable {
            var minOrders: Int?
            var window: String?

            enum CodingKeys: String, CodingKey {
                case window
                case minOrders = "min_orders"
            }
        }

        struct RawSpread: Decodable {
            var maxConsignees: Int?
            var maxPhones: Int?
            var maxAddresses: Int?
            var maxIdentities: Int?
            var window: String?

            enum CodingKeys: String, CodingKey {
                case window
                case maxConsignees = "max_consignees"
                case maxPhones = "max_phones"
                case maxAddresses = "max_addresses"
                case maxIdentities = "max_identities"
            }
        }

        struct RawValueGap: Decodable {
            var paidRatio: Double?
            var historyRatio: Double?
            var minHistory: Int?

            enum CodingKeys: String, CodingKey {
                case paidRatio = "paid_ratio"
                case historyRatio = "history_ratio"
                case minHistory = "min_history"
            }
        }

        struct RawVolume: Decodable {
            var windowDays: Int?
            var volumeFactor: Double?
            var minVolume: Int?
            var refusalRateIncrease: Double?

            enum CodingKeys: String, CodingKey {
                case windowDays = "window_days"
                case volumeFactor = "volume_factor"
                case minVolume = "min_volume"
                case refusalRateIncrease = "refusal_rate_increase"
            }
        }
    }

    /// The risk settings a config names (no rule runs without `risk:`). The rules need the
    /// flows; `notify` and `reviewers` must name department parties.
    static func parseRisk(_ raw: RawRisk?, parties: [Party], flowsOn: Bool) throws -> RiskSettings {
        guard let raw else { return RiskSettings() }
        guard flowsOn else { throw ConfigError(.invalidValue, "risk: the risk rules run in the flows: add flows:") }
        var risk = RiskSettings()
        let rules = raw.rules
        let customs = parties.filter { $0.roles.contains(.customs) }.map(\.id)
        func common(_ name: RiskRuleName, _ raw: RawRisk.RawCommon) throws {
            let path = "risk.rules.\(name.rawValue)"
            var rule = RiskSettings.Rule()
            if let text = raw.action {
                guard let action = RiskSettings.Action(rawValue: text) else {
                    throw ConfigError(.invalidValue, "\(path).action '\(text)' is not one of notify, hold")
                }
                rule.action = action
            }
            if let severity = raw.severity {
                guard ["low", "medium", "high"].contains(severity) else {
                    throw ConfigError(.invalidValue, "\(path).severity '\(severity)' is not one of low, medium, high")
                }
                rule.severity = severity
            }
            for (key, list) in [("notify", raw.notify ?? []), ("reviewers", raw.reviewers ?? [])] {
                for id in list {
                    guard let party = parties.first(where: { $0.id == id }) else {
                        throw ConfigError(.unknownReference, "\(path).\(key) names unknown party '\(id)'")
                    }
                    guard party.roles.contains(where: \.isDepartment) else {
                        throw ConfigError(.invalidValue, "\(path).\(key) names '\(id)', which is not a department")
                    }
                }
                guard Set(list).count == list.count else { throw ConfigError(.duplicate, "\(path).\(key) names a party twice") }
            }
            rule.notify = raw.notify ?? []
            rule.reviewers = raw.reviewers ?? customs
            if raw.reviewers != nil && rule.reviewers.isEmpty && rule.action == .hold {
                throw ConfigError(.invalidValue, "\(path).reviewers is empty: nobody could decide its holds")
            }
            risk.rules[name] = rule
        }
        if let quota = rules.consumerQuota {
            try common(.consumerQuota, quota.common)
            let path = "risk.rules.consumer_quota"
            let p = quota.parameters
            if let value = p.perPurchaseCny { risk.consumerQuota.perPurchaseCny = try amount(value, "\(path).per_purchase_cny") }
            if let value = p.perYearCny { risk.consumerQuota.perYearCny = try amount(value, "\(path).per_year_cny") }
            if let modes = p.tradeModes {
                guard !modes.isEmpty, modes.allSatisfy({ $0.count == 4 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
                    throw ConfigError(.invalidValue, "\(path).trade_modes must list trade modes of 4 digits (9610, 1210)")
                }
                risk.consumerQuota.tradeModes = modes
            }
        }
        if let split = rules.splitOrders {
            try common(.splitOrders, split.common)
            let path = "risk.rules.split_orders"
            if let value = split.parameters.minOrders { risk.splitOrders.minOrders = try count(value, "\(path).min_orders", 2...10_000) }
            if let text = split.parameters.window { risk.splitOrders.windowUs = try window(text, "\(path).window") }
        }
        if let spread = rules.identitySpread {
            try common(.identitySpread, spread.common)
            let path = "risk.rules.identity_spread"
            let p = spread.parameters
            if let value = p.maxConsignees { risk.identitySpread.maxConsignees = try count(value, "\(path).max_consignees", 1...10_000) }
            if let value = p.maxPhones { risk.identitySpread.maxPhones = try count(value, "\(path).max_phones", 1...10_000) }
            if let value = p.maxAddresses { risk.identitySpread.maxAddresses = try count(value, "\(path).max_addresses", 1...10_000) }
            if let value = p.maxIdentities { risk.identitySpread.maxIdentities = try count(value, "\(path).max_identities", 1...10_000) }
            if let text = p.window { risk.identitySpread.windowUs = try window(text, "\(path).window") }
        }
        if let gap = rules.valueGap {
            try common(.valueGap, gap.common)
            let path = "risk.rules.value_gap"
            let p = gap.parameters
            if let value = p.paidRatio { risk.valueGap.paidRatio = try ratio(value, "\(path).paid_ratio") }
            if let value = p.historyRatio { risk.valueGap.historyRatio = try ratio(value, "\(path).history_ratio") }
            if let value = p.minHistory { risk.valueGap.minHistory = try count(value, "\(path).min_history", 1...1_000_000) }
        }
        if let volume = rules.volumeChange {
            try common(.volumeChange, volume.common)
            let path = "risk.rules.volume_change"
            let p = volume.parameters
            if let value = p.windowDays { risk.volumeChange.windowDays = try count(value, "\(path).window_days", 1...366) }
            if let value = p.volumeFactor { risk.volumeChange.volumeFactor = try ratio(value, "\(path).volume_factor") }
            if let value = p.minVolume { risk.volumeChange.minVolume = try count(value, "\(path).min_volume", 1...100_000_000) }
            if let value = p.refusalRateIncrease {
                guard value.isFinite, value > 0, value <= 1 else {
                    throw ConfigError(.invalidValue, "\(path).refusal_rate_increase = \(value) must be above 0 and at most 1 (a fraction)")
                }
                risk.volumeChange.refusalRateIncrease = decimal(value)
            }
        }
        if let links = rules.blacklistLinks { try common(.blacklistLinks, links.common) }
        return risk
    }

    private static func decimal(_ value: Double) -> Decimal {
        Decimal(string: String(value), locale: Locale(identifier: "en_US_POSIX")) ?? Decimal(value)
    }

    private static func amount(_ value: Double, _ key: String) throws -> Decimal {
        guard value.isFinite, value > 0 else { throw ConfigError(.invalidValue, "\(key) = \(value) must be an amount above 0 (CNY)") }
        return decimal(value)
    }

    private static func ratio(_ value: Double, _ key: String) throws -> Decimal {
        guard value.isFinite, value > 1, value <= 1_000_000 else {
            throw ConfigError(.invalidValue, "\(key) = \(value) must be a factor above 1 (at most 1000000)")
        }
        return decimal(value)
    }

    private static func count(_ value: Int, _ key: String, _ range: ClosedRange<Int>) throws -> Int {
        guard range.contains(value) else {
            throw ConfigError(.invalidValue, "\(key) = \(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    private static func window(_ text: String, _ key: String) throws -> Int64 {
        let us = try parseDuration(text, key: key)
        guard (60_000_000...(366 * 86_400_000_000)).contains(us) else {
            throw ConfigError(.invalidValue, "\(key) = '\(text)' is outside 1m...366d")
        }
        return us
    }
}
