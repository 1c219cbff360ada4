import HubProtocol

/// The credit standing departments publish about enterprises (CreditNotice), and the
/// hub's rule that follows from it: new filings of an enterprise on any department's
/// blacklist are refused, and flows already in progress are flagged. A value: notices in,
/// decisions out.
///
/// Each department speaks for its own list: a notice with `blacklisted = false` from the
/// department that blacklisted an enterprise lifts that listing, and only that one.
public struct CreditRegistry: Sendable, Equatable {
    /// One department's listing of one enterprise.
    public struct Listing: Sendable, Equatable {
        public var department: String
        public var reason: String
        public var documentNo: String
    }

    /// What the flows must do after a notice.
    public enum Action: Sendable, Equatable {
        /// Share the notice with every department.
        case share
        /// The enterprise became blacklisted: flag its flows in progress.
        case flagInProgress(enterprise: String, reason: String)
        /// Its last listing was lifted.
        case lifted(enterprise: String)
    }

    /// Listings by enterprise (unified social credit code).
    private var listings: [String: [Listing]] = [:]

    public init() {}

    /// A department published a notice. `issuer` is the authenticated sender; a notice
    /// naming another department is taken as the sender's own.
    public mutating func notice(_ notice: BizCreditNotice, from issuer: String) -> [Action] {
        let enterprise = notice.socialCreditCode
        guard !enterprise.isEmpty else { return [.share] }
        var current = listings[enterprise] ?? []
        let wasListed = !current.isEmpty
        current.removeAll { $0.department == issuer }
        if notice.blacklisted {
            current.append(Listing(department: issuer, reason: notice.reason, documentNo: notice.documentNo))
        }
        listings[enterprise] = current.isEmpty ? nil : current
        var actions: [Action] = [.share]
        if !wasListed && !current.isEmpty {
            actions.append(.flagInProgress(enterprise: enterprise, reason: refusalReason(enterprise) ?? ""))
        } else if wasListed && current.isEmpty {
            actions.append(.lifted(enterprise: enterprise))
        }
        return actions
    }

    /// Every blacklisted enterprise (credit code), sorted.
    public var blacklistedEnterprises: [String] { listings.keys.sorted() }

    /// Whether a new filing of `enterprise` must be refused.
    public func isBlacklisted(_ enterprise: String) -> Bool { listings[enterprise] != nil }

    /// The listings of `enterprise`, oldest first.
    public func listings(of enterprise: String) -> [Listing] { listings[enterprise] ?? [] }

    /// The reason to give a refused filer: who listed the enterprise, and why.
    public func refusalReason(_ enterprise: String) -> String? {
        guard let current = listings[enterprise] else { return nil }
        let parts = current.map { listing in
            var text = "blacklisted by \(listing.department)"
            if !listing.documentNo.isEmpty { text += " (\(listing.documentNo))" }
            if !listing.reason.isEmpty { text += ": \(listing.reason)" }
            return text
        }
        return parts.joined(separator: "; ")
    }
}

/// The listings, for a snapshot (``FlowSnapshot``).
extension CreditRegistry: Codable {}
extension CreditRegistry.Listing: Codable {}
