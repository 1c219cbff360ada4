import Foundation

/// The stable names of the risk rules (风险防控), as the config (`risk.rules.<name>`), the
/// notices (`RiskNotice.rule`) and the feedback name them.
public enum RiskRuleName: String, Sendable, Codable, CaseIterable, Comparable {
    /// Cross-border retail imports over a consumer's quota, across every platform.
    case consumerQuota = "consumer_quota"
    /// One consumer buying the same goods in many orders within a short window.
    case splitOrders = "split_orders"
    /// One identity behind many consignees, phones or addresses, or one phone or address
    /// behind many identities.
    case identitySpread = "identity_spread"
    /// Declared value far from the paid amount or from the history of the same goods.
    case valueGap = "value_gap"
    /// A sudden change of an enterprise's daily volume or refusal rate.
    case volumeChange = "volume_change"
    /// An enterprise sharing contacts, addresses or accounts with a blacklisted one.
    case blacklistLinks = "blacklist_links"

    public static func < (lhs: RiskRuleName, rhs: RiskRuleName) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The risk rules' settings (`risk:` in the hub config): which rules run, what each does on
/// a hit, and each rule's parameters. A rule runs when it is named under `risk.rules`.
public struct RiskSettings: Sendable, Equatable {
    /// What a hit of a rule does.
    public enum Action: String, Sendable, Equatable, CaseIterable {
        /// A risk notice to customs and the rule's departments; the declaration goes on.
        case notify
        /// The notice, and the declaration is held for pre-review (集中预审核) until a
        /// reviewer releases or refuses it.
        case hold
    }

    /// What every rule has.
    public struct Rule: Sendable, Equatable {
        public var action: Action = .notify
        /// `low`, `medium` or `high`, copied into the notice.
        public var severity = "medium"
        /// Departments told besides customs (party ids).
        public var notify: [String] = []
        /// Departments that may decide a hold (party ids); the customs parties by default.
        public var reviewers: [String] = []

        public init() {}
    }

    /// `consumer_quota`: the 跨境电商零售进口 quota per consumer (buyer id number).
    public struct ConsumerQuota: Sendable, Equatable {
        /// Largest purchase (goods value plus freight), CNY.
        public var perPurchaseCny: Decimal = 5000
        /// Largest total of a consumer's purchases in one calendar year (UTC), CNY.
        public var perYearCny: Decimal = 26000
        /// The trade modes of cross-border retail imports.
        public var tradeModes: [String] = ["9610", "1210"]
        public init() {}
    }

    /// `split_orders`: one consumer, the same goods (HS code), `minOrders` or more
    /// declarations within `windowUs`.
    public struct SplitOrders: Sendable, Equatable {
        public var minOrders = 3
        public var windowUs: Int64 = 24 * 3_600_000_000
        public init() {}
    }

    /// `identity_spread`: within `windowUs`, more than `maxConsignees` consignee names,
    /// `maxPhones` phones or `maxAddresses` addresses behind one buyer id, or more than
    /// `maxIdentities` buyer ids behind one phone or address.
    public struct IdentitySpread: Sendable, Equatable {
        public var maxConsignees = 3
        public var maxPhones = 3
        public var maxAddresses = 3
        public var maxIdentities = 3
        public var windowUs: Int64 = 30 * 86_400_000_000
        public init() {}
    }

    /// `value_gap`: the declared value and the paid amount differ by a factor of
    /// `paidRatio` or more; or a line's unit price differs from the mean unit price of the
    /// same HS code (after at least `minHistory` earlier lines) by `historyRatio` or more.
    public struct ValueGap: Sendable, Equatable {
        public var paidRatio: Decimal = 2
        public var historyRatio: Decimal = 3
        public var minHistory = 5
        public init() {}
    }

    /// `volume_change`: an enterprise's declarations today reach `minVolume` and exceed
    /// `volumeFactor` × its daily mean over the `windowDays` days before; or its refusal
    /// rate today (at least `minVolume` declarations) exceeds the window's by
    /// `refusalRateIncrease` (a fraction: 0.3 = 30 points). Once per enterprise, kind and day.
    public struct VolumeChange: Sendable, Equatable {
        public var windowDays = 7
        public var volumeFactor: Decimal = 3
        public var minVolume = 20
        public var refusalRateIncrease: Decimal = Decimal(string: "0.3")!
        public init() {}
    }

    /// The rules that run, with their common settings.
    public var rules: [RiskRuleName: Rule] = [:]
    public var consumerQuota = ConsumerQuota()
    public var splitOrders = SplitOrders()
    public var identitySpread = IdentitySpread()
    public var valueGap = ValueGap()
    public var volumeChange = VolumeChange()

    /// No rule runs.
    public init() {}

    /// Whether any rule runs.
    public var isOn: Bool { !rules.isEmpty }

    /// Whether `rule` runs.
    public func runs(_ rule: RiskRuleName) -> Bool { rules[rule] != nil }
}
