import Foundation
import HubConfigKit
import HubCore
import Testing

/// The `risk:` config section: rules with their parameters and defaults, and the refusals
/// of unknown rules and keys, bad values and parties that cannot review.
@Suite("Risk config")
struct RiskConfigTests {
    static func parse(_ risk: String, flows: Bool = true) throws -> HubConfig {
        var yaml = "hub: {endpoint: \"tcp://127.0.0.1:1\", key_file: hub.key, journal: j.sqlite}\ntypes: []\n"
        if flows { yaml += "flows: {}\n" }
        yaml += "parties:\n"
        for (index, (id, roles)) in FlowEngineRiskTests.parties.enumerated() {
            yaml += "  - {id: \(id), public_key: \"\(FlowEngineTests.keys[index])\", roles: \(roles)}\n"
        }
        return try HubConfig.parse(yaml: yaml + risk, baseDirectory: "/") { _ in "" }
    }

    @Test func rulesAreParsedWithTheirParametersAndDefaults() throws {
        let risk = try Self.parse(
            """
            risk:
              rules:
                consumer_quota: {action: hold, severity: high, notify: [tax], per_purchase_cny: 4000, per_year_cny: 20000.5}
                split_orders: {min_orders: 4, window: 12h}
                identity_spread: {max_phones: 2, window: 7d}
                value_gap: {paid_ratio: 1.5}
                volume_change: {window_days: 14, refusal_rate_increase: 0.25}
                blacklist_links: {}

            """
        ).risk
        #expect(Set(risk.rules.keys) == Set(RiskRuleName.allCases))
        let quota = try #require(risk.rules[.consumerQuota])
        #expect(quota.action == .hold && quota.severity == "high" && quota.notify == ["tax"] && quota.reviewers == ["customs"])
        #expect(risk.rules[.blacklistLinks]?.action == .notify && risk.rules[.blacklistLinks]?.severity == "medium")
        #expect(risk.consumerQuota.perPurchaseCny == 4000 && risk.consumerQuota.perYearCny == Decimal(string: "20000.5"))
        #expect(risk.consumerQuota.tradeModes == ["9610", "1210"])
        #expect(risk.splitOrders.minOrders == 4 && risk.splitOrders.windowUs == 12 * 3_600_000_000)
        #expect(risk.identitySpread.maxPhones == 2 && risk.identitySpread.maxConsignees == 3)
        #expect(risk.identitySpread.windowUs == 7 * 86_400_000_000)
        #expect(risk.valueGap.paidRatio == Decimal(string: "1.5") && risk.valueGap.minHistory == 5)
        #expect(risk.volumeChange.windowDays == 14 && risk.volumeChange.refusalRateIncrease == Decimal(string: "0.25"))
        #expect(try !Self.parse("").risk.isOn)
    }

    @Test(arguments: [
        ("risk: {rules: {consumer_quota: {action: block}}}\n", "risk.rules.consumer_quota.action 'block' is not one of notify, hold"),
        ("risk: {rules: {split_orders: {severity: urgent}}}\n", "severity 'urgent'"),
        ("risk: {rules: {consumer_quota: {reviewers: [platform]}}}\n", "reviewers names 'platform', which is not a department"),
        ("risk: {rules: {consumer_quota: {notify: [nobody]}}}\n", "notify names unknown party 'nobody'"),
        ("risk: {rules: {consumer_quota: {notify: [tax, tax]}}}\n", "names a party twice"),
        ("risk: {rules: {consumer_quota: {action: hold, reviewers: []}}}\n", "nobody could decide"),
        ("risk: {rules: {consumer_quota: {per_purchase_cny: 0}}}\n", "per_purchase_cny = 0.0 must be an amount above 0"),
        ("risk: {rules: {consumer_quota: {trade_modes: [96]}}}\n", "trade_modes"),
        ("risk: {rules: {split_orders: {min_orders: 1}}}\n", "min_orders = 1 is outside 2...10000"),
        ("risk: {rules: {split_orders: {window: 5}}}\n", "is not a duration"),
        ("risk: {rules: {identity_spread: {window: 500d}}}\n", "outside 1m...366d"),
        ("risk: {rules: {value_gap: {paid_ratio: 1}}}\n", "paid_ratio = 1.0 must be a factor above 1"),
        ("risk: {rules: {volume_change: {refusal_rate_increase: 30}}}\n", "at most 1"),
        ("risk: {rules: {split_orders: {per_year_cny: 1}}}\n", "per_year_cny"),
        ("risk: {rules: {consumer_quotas: {}}}\n", "consumer_quotas"),
        ("risk: {rule: {}}\n", "rule"),
    ])
    func badRiskSectionsAreRefused(yaml: String, reason: String) throws {
        let error = #expect(throws: ConfigError.self) { try Self.parse(yaml) }
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
    }

    @Test func theRulesNeedTheFlows() throws {
        let error = #expect(throws: ConfigError.self) { try Self.parse("risk: {rules: {blacklist_links: {}}}\n", flows: false) }
        #expect(error?.reason.contains("add flows:") == true)
    }
}
