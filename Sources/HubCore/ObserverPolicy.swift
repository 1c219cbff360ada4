/// Who may watch whose traffic through a replay or the monitoring tap, and how much of each
/// body they see. Nobody sees this way what they could not receive directly: a party watches
/// its own stream (the messages delivered to it) with its own hidden fields removed; an
/// auditor (`audit:` in the config) also watches the streams of the parties it audits, with
/// the fields hidden from that party *and* from itself removed, or headers only.
public struct ObserverPolicy: Sendable {
    /// What of a body an observer gets.
    public enum BodyView: Sendable {
        /// The body as journaled.
        case whole
        /// The body with these redactors' fields removed (applied in order).
        case redacted([WireRedactor])
        /// No body at all: the observer sees headers only.
        case none

        /// `body` as this view shows it.
        public func apply(to body: UnsafeRawBufferPointer) throws -> [UInt8] {
            switch self {
            case .whole: return [UInt8](body)
            case .none: return []
            case .redacted(let redactors):
                var bytes = [UInt8](body)
                for redactor in redactors { bytes = try redactor.redact(bytes) }
                return bytes
            }
        }
    }

    private struct Auditor: Sendable {
        var everyone: Bool
        var parties: Set<String>
        var bodies: Bool
    }

    private let auditors: [String: Auditor]
    private let redaction: RedactionPolicy

    /// Compiles the `audit:` entries of `config`'s parties.
    public init(config: HubConfig, redaction: RedactionPolicy) {
        var auditors: [String: Auditor] = [:]
        for party in config.parties where !party.audits.isEmpty {
            auditors[party.id] = Auditor(
                everyone: party.audits.contains("*"), parties: Set(party.audits.filter { $0 != "*" }), bodies: party.auditBodies)
        }
        self.auditors = auditors
        self.redaction = redaction
    }

    /// Whether `observer` audits `party` (never true for a party's own stream).
    public func audits(_ observer: String, _ party: String) -> Bool {
        guard observer != party, let auditor = auditors[observer] else { return false }
        return auditor.everyone || auditor.parties.contains(party)
    }

    /// Whether `observer` is an auditor of anyone.
    public func isAuditor(_ observer: String) -> Bool { auditors[observer] != nil }

    /// Whether `observer` may replay the stream of `party`: its own, or one it audits.
    public func mayReplay(_ observer: String, stream party: String) -> Bool {
        observer == party || audits(observer, party)
    }

    /// Whether `observer` sees on the tap the copy of a message from `sender` delivered to
    /// `recipient`: it is the recipient, or it audits the sender or the recipient.
    public func seesOnTap(_ observer: String, sender: String, recipient: String) -> Bool {
        observer == recipient || audits(observer, sender) || audits(observer, recipient)
    }

    /// How `observer` sees the bodies of `type` in the stream of `party` (or, on the tap,
    /// in the copy delivered to `party`).
    public func view(observer: String, stream party: String, type: String) -> BodyView {
        let own = redaction.redactor(for: party, type: type)
        // A party's own stream (every delivery): no allocation unless something is hidden.
        guard observer != party else { return own.map { .redacted([$0]) } ?? .whole }
        if let auditor = auditors[observer], !auditor.bodies { return .none }
        let redactors = [own, redaction.redactor(for: observer, type: type)].compactMap { $0 }
        return redactors.isEmpty ? .whole : .redacted(redactors)
    }
}
