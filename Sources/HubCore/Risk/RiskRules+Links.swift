import HubProtocol

/// `blacklist_links`: enterprises that share a contact phone, an email, an address or a
/// bank account with a blacklisted enterprise (from their registrations, 备案).
extension RiskRules {
    /// The link keys of a registration: its contact's telephone, email and address, its
    /// registered address, its bank accounts.
    static func linkKeys(of registration: BizRegistration) -> [String] {
        var keys: [String] = []
        func add(_ kind: String, _ value: String) {
            let normalized = RiskFacts.normalized(value)
            guard !normalized.isEmpty, !keys.contains(kind + ":" + normalized) else { return }
            keys.append(kind + ":" + normalized)
        }
        add("phone", registration.contact.telephone)
        add("email", registration.contact.email)
        add("address", registration.contact.address)
        add("address", registration.address)
        for account in registration.bankAccounts { add("account", account.accountNo) }
        return keys
    }

    /// An enterprise registered (or changed its registration): its links replace its
    /// earlier ones (the flows note registrations while `blacklist_links` runs).
    public mutating func noteRegistration(_ registration: BizRegistration) {
        let code = registration.socialCreditCode
        guard !code.isEmpty else { return }
        let keys = Self.linkKeys(of: registration)
        enterpriseLinks[code] = keys.isEmpty ? nil : keys
    }

    /// The hit when the declaration's enterprise shares a link with one of the `blacklisted`
    /// enterprises (looked at in their order, for each of its links in turn). Only the
    /// blacklisted are looked at: thousands of enterprises can share an agent's address.
    func blacklistLinks(_ facts: RiskFacts, blacklisted: [String], blacklisting: (String) -> String?) -> [RiskHit] {
        guard let code = facts.enterprise, !blacklisted.isEmpty else { return [] }
        var evidence: [RiskHit.Evidence] = []
        var personal: [RiskHit.Evidence] = []
        for key in enterpriseLinks[code] ?? [] {
            for other in blacklisted where other != code && enterpriseLinks[other]?.contains(key) == true {
                guard let reason = blacklisting(other) else { continue }
                let kind = String(key.prefix { $0 != ":" })
                evidence += [.init("linked_enterprise", other), .init("shared", kind), .init("blacklisting", reason)]
                personal.append(.init(kind, String(key.dropFirst(kind.count + 1))))
            }
        }
        guard !evidence.isEmpty else { return [] }
        return [RiskHit(.blacklistLinks, evidence: [.init("enterprise", code)] + evidence, personal: personal)]
    }
}
