/// The grammar of the ids of the messages the hub's flows emit (PROTOCOL.md, "the hub
/// emits"), which are also the correlation ids departments answer with: one type formats
/// them (``description``) and parses them (``init(_:)``), for the flows that build them and
/// for the trace, the status command and the tools that read them.
///
/// Party ids hold no colon (`[A-Za-z0-9._-]`); filers' message ids may, so a filer's id is
/// always read as "everything between the fixed parts".
public enum HubMessageId: Hashable, Sendable, CustomStringConvertible {
    /// `share:<filer>:<filing id>`: a registration shared with the departments.
    case share(filer: String, filingId: String)
    /// `fb:<subject id>:<subject sender>:<n, 6 digits>`: the n-th unified feedback about a
    /// registration or declaration (n from 1).
    case feedback(subjectId: String, subjectSender: String, number: Int)
    /// `fwd:<inventory filer>:<inventory id>:<document>`: a declaration's document forwarded
    /// to customs.
    case forward(filer: String, inventoryId: String, document: DeclarationDocument)
    /// `rel:<inventory filer>:<inventory id>`: the release notice of a declaration.
    case releaseNotice(filer: String, inventoryId: String)
    /// `sum:<n, 6 digits>`: the n-th summary declaration (also its `cop_no`).
    case summary(number: Int)
    /// `sres:<customs party>:<result id>`: customs' summary result shared.
    case summaryResultShare(customs: String, resultId: String)
    /// `credit:<issuer>:<notice id>`: a credit notice shared.
    case creditShare(issuer: String, noticeId: String)
    /// `ans:<asker>:<query id>`: the hub's answer to a query (or a relayed department's).
    case answer(asker: String, queryId: String)
    /// `risk:<inventory filer>:<inventory id>:<rule>`: a risk rule's notice about a
    /// declaration (rule names hold no colon).
    case riskNotice(filer: String, inventoryId: String, rule: String)
    /// `wdn:<cancellation filer>:<cancellation id>`: the withdrawal notice after customs
    /// approved the cancellation of a released inventory.
    case withdrawalNotice(filer: String, cancellationId: String)
    /// `rtn:<return filer>:<return id>`: the return notice after customs approved a return.
    case returnNotice(filer: String, returnId: String)
    /// `taxbill:<customs party>:<id>`: customs' tax bill (`ceb.TaxBill`) or its status
    /// change (`ceb.TaxStatus`) passed on to the released declaration's filers.
    case taxBillShare(customs: String, billId: String)

    /// The kinds of id, by their prefix.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case share, feedback = "fb", forward = "fwd", releaseNotice = "rel", summary = "sum"
        case summaryResultShare = "sres", creditShare = "credit", answer = "ans"
        case riskNotice = "risk"
        case withdrawalNotice = "wdn", returnNotice = "rtn"
        case taxBillShare = "taxbill"

        /// The prefix every id of the kind starts with (`"fwd:"`).
        public var prefix: String { rawValue + ":" }
    }

    /// The kind of the id.
    public var kind: Kind {
        switch self {
        case .share: .share
        case .feedback: .feedback
        case .forward: .forward
        case .releaseNotice: .releaseNotice
        case .summary: .summary
        case .summaryResultShare: .summaryResultShare
        case .creditShare: .creditShare
        case .answer: .answer
        case .riskNotice: .riskNotice
        case .withdrawalNotice: .withdrawalNotice
        case .returnNotice: .returnNotice
        case .taxBillShare: .taxBillShare
        }
    }

    /// The id as the hub writes it.
    public var description: String {
        switch self {
        case .share(let filer, let id): "share:\(filer):\(id)"
        case .feedback(let id, let sender, let number): Self.feedbackPrefix(subjectId: id, subjectSender: sender) + Self.sixDigits(number)
        case .forward(let filer, let id, let document): "fwd:\(filer):\(id):\(document.rawValue)"
        case .releaseNotice(let filer, let id): "rel:\(filer):\(id)"
        case .summary(let number): "sum:" + Self.sixDigits(number)
        case .summaryResultShare(let customs, let id): "sres:\(customs):\(id)"
        case .creditShare(let issuer, let id): "credit:\(issuer):\(id)"
        case .answer(let asker, let id): "ans:\(asker):\(id)"
        case .riskNotice(let filer, let id, let rule): "risk:\(filer):\(id):\(rule)"
        case .withdrawalNotice(let filer, let id): "wdn:\(filer):\(id)"
        case .returnNotice(let filer, let id): "rtn:\(filer):\(id)"
        case .taxBillShare(let customs, let id): "taxbill:\(customs):\(id)"
        }
    }

    /// Reads an id of the grammar; nil for any other id (a filer's own, a malformed one).
    ///
    /// - Parameter text: A message or correlation id.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), let kind = Kind(rawValue: String(text[..<colon])) else { return nil }
        let rest = String(text[text.index(after: colon)...])
        switch kind {
        case .summary:
            guard let number = Self.number(rest) else { return nil }
            self = .summary(number: number)
        case .feedback:
            // <subject id>:<sender>:<n>, the subject id possibly holding colons.
            let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 3, let number = Self.number(String(parts[parts.count - 1])), !parts[parts.count - 2].isEmpty else {
                return nil
            }
            let subjectId = parts[..<(parts.count - 2)].joined(separator: ":")
            guard !subjectId.isEmpty else { return nil }
            self = .feedback(subjectId: subjectId, subjectSender: String(parts[parts.count - 2]), number: number)
        case .forward:
            guard let (filer, tail) = Self.party(rest), let last = tail.lastIndex(of: ":"),
                let document = DeclarationDocument(rawValue: String(tail[tail.index(after: last)...]))
            else { return nil }
            let inventoryId = String(tail[..<last])
            guard !inventoryId.isEmpty else { return nil }
            self = .forward(filer: filer, inventoryId: inventoryId, document: document)
        case .riskNotice:
            guard let (filer, tail) = Self.party(rest), let last = tail.lastIndex(of: ":") else { return nil }
            let inventoryId = String(tail[..<last])
            let rule = String(tail[tail.index(after: last)...])
            guard !inventoryId.isEmpty, !rule.isEmpty else { return nil }
            self = .riskNotice(filer: filer, inventoryId: inventoryId, rule: rule)
        default:
            guard let (party, id) = Self.party(rest) else { return nil }
            switch kind {
            case .share: self = .share(filer: party, filingId: id)
            case .releaseNotice: self = .releaseNotice(filer: party, inventoryId: id)
            case .summaryResultShare: self = .summaryResultShare(customs: party, resultId: id)
            case .creditShare: self = .creditShare(issuer: party, noticeId: id)
            case .withdrawalNotice: self = .withdrawalNotice(filer: party, cancellationId: id)
            case .returnNotice: self = .returnNotice(filer: party, returnId: id)
            case .taxBillShare: self = .taxBillShare(customs: party, billId: id)
            default: self = .answer(asker: party, queryId: id)
            }
        }
    }

    /// The start of every feedback id about one subject filed by one sender, for reading
    /// them as one range of the journal's (sender, id) index.
    ///
    /// - Parameters:
    ///   - subjectId: The registration's or inventory's message id.
    ///   - subjectSender: Its filer.
    public static func feedbackPrefix(subjectId: String, subjectSender: String) -> String {
        "fb:\(subjectId):\(subjectSender):"
    }

    /// `<party>:<rest>` split at the first colon, both non-empty.
    private static func party(_ text: String) -> (String, String)? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let party = String(text[..<colon])
        let rest = String(text[text.index(after: colon)...])
        guard !party.isEmpty, !rest.isEmpty else { return nil }
        return (party, rest)
    }

    /// A counter of at least six digits (`000001`).
    private static func number(_ text: String) -> Int? {
        guard text.utf8.count >= 6, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = Int(text) else { return nil }
        return number
    }

    private static func sixDigits(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
