import Foundation
import HubCore
import HubProtocol
import HubStore

/// The web monitor's trace of an id, read from the journal: every message journaled with
/// that id (by any sender) with who it went to and who has acknowledged it, and the unified
/// feedback history the flows gave about it. Stands in until `JournalInspector.trace` is wired.
struct MonitorTrace: Codable, Sendable {
    struct Message: Codable, Sendable {
        var seq: UInt64
        var sender: String
        var type: String
        var recipients: [String]
        var acknowledgedBy: [String]
        var notYetAcknowledgedBy: [String]
        var correlationId: String
        var journaledAt: String
    }

    struct Step: Codable, Sendable {
        var seq: UInt64
        var at: String
        var state: String
        var final: Bool
        var departments: String
        var pending: [String]
        var reasons: [String]
    }

    var id: String
    var messages: [Message]
    var feedback: [Step]

    /// Looks `id` up in the journal through `inspector`; nil when nothing has that id.
    static func lookup(_ id: String, inspector: JournalInspector, parties: [String]) throws -> MonitorTrace? {
        let acked = Dictionary(try inspector.ackPositions().map { ($0.key, UInt64($0.count)) }, uniquingKeysWith: max)
        var messages: [Message] = []
        for party in parties {
            for record in try inspector.records(sender: party, idPrefix: id) where record.id == id {
                messages.append(
                    Message(
                        seq: record.seq, sender: record.sender, type: record.type, recipients: record.recipients,
                        acknowledgedBy: record.recipients.filter { (acked[$0] ?? 0) >= record.seq },
                        notYetAcknowledgedBy: record.recipients.filter { (acked[$0] ?? 0) < record.seq },
                        correlationId: record.correlationId, journaledAt: time(record.journaledAtUs)))
            }
        }
        var steps: [Step] = []
        for record in try inspector.records(sender: HubConfig.hubParty, idPrefix: "fb:\(id):") {
            guard let feedback = try? BizFeedback(serializedBytes: record.body), feedback.subjectID == id else { continue }
            steps.append(
                Step(
                    seq: record.seq, at: time(record.journaledAtUs), state: FlowTally.name(feedback.state), final: feedback.final,
                    departments: feedback.departments.map { "\($0.department): \($0.status)" }.joined(separator: ", "),
                    pending: feedback.pendingDepartments, reasons: feedback.reasons))
        }
        guard !messages.isEmpty || !steps.isEmpty else { return nil }
        return MonitorTrace(id: id, messages: messages.sorted { $0.seq < $1.seq }, feedback: steps)
    }

    private static func time(_ us: Int64) -> String {
        Date(timeIntervalSince1970: Double(us) / 1_000_000).formatted(.iso8601)
    }
}
