/// One rule's hit on one declaration: what it found, as evidence the notice carries.
public struct RiskHit: Sendable, Equatable {
    /// One item of evidence.
    public struct Evidence: Sendable, Equatable {
        public var key: String
        public var value: String

        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    public var rule: RiskRuleName
    /// What the rule found, without personal data.
    public var evidence: [Evidence]
    /// What the rule found that names a natural person (ids, phones, addresses, names).
    public var personal: [Evidence]
    /// Message ids of the other declarations (inventories) behind the hit.
    public var relatedIds: [String]
    /// The enterprise the hit is about, when not the declaration's (blacklist links).
    public var enterpriseCode: String?

    public init(
        _ rule: RiskRuleName, evidence: [Evidence], personal: [Evidence] = [], relatedIds: [String] = [],
        enterpriseCode: String? = nil
    ) {
        self.rule = rule
        self.evidence = evidence
        self.personal = personal
        self.relatedIds = relatedIds
        self.enterpriseCode = enterpriseCode
    }
}
