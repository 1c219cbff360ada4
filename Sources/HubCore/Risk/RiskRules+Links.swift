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
        for key in enterpriseLinks[code] ?? [] {
            links[key]?.removeAll { $0 == code }
            if links[key]?.isEmpty == true { links[key] = nil }
        }
        let keys = Self.linkKeys(of: registration)
        enterpriseLinks[code] = keys.isEmpty ? nil : keys
        for key in keys { links[key, default: []].append(code) }
    }

    /// The hit when the declaration's enterprise shares a link with a blacklisted one: with
    /// `blacklisted` given, only those enterprises are looked at (in their order), else every
    /// one sharing a link (in registration order).
    func blacklistLinks(_ facts: RiskFacts, blacklisted: [String]?, blacklisting: (String) -> String?) -> [RiskHit] {
        guard let code = facts.enterprise else { return [] }
        if let blacklisted, blacklisted.isEmpty { return [] }
        var evidence: [RiskHit.Evidence] = []
        var personal: [RiskHit.Evidence] = []
        for key in enterpriseLinks[code] ?? [] {
            let candidates = blacklisted?.filter { enterpriseLinks[$0]?.contains(key) == true } ?? links[key] ?? []
            for other in candidates where other != code {
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
