import ArgumentParser
import Foundation
import HubCore
import HubProtocol
import HubStore
import SwiftProtobuf

/// `swhub status ID`: the unified feedback of a registration or declaration, read from the
/// journal (safe beside a running hub).
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the unified feedback of a registration or declaration (by the filing's message id).")

    @Argument(
        help: """
            The filing's message id: a reg.Registration's, a declaration's ceb.Inventory's, another declaration \
            document's (refused, changed or withdrawn by its appType), a ceb.Cancellation's or ceb.ReturnRequest's, or a summary declaration's (sum:…). A declaration's shows the cancellations, returns, withdrawal and return notices about its inventory.
            """)
    var id: String?

    @Flag(
        help: """
            Show the hub cluster instead (a journal in PostgreSQL): each node, its parties and when it last \
            reported, which node runs the flows, the database primary and its standbys' replication.
            """)
    var cluster = false

    @Flag(
        help: """
            List the released export inventories whose parcel has not departed (no departure, CEB509, lists \
            it): not yet summary candidates under flows.summary.require_departure. Rebuilds the flows from the \
            whole journal.
            """)
    var awaitingDeparture = false

    @Flag(
        help: """
            List the declarations held for pre-review (集中预审核, a risk rule with action: hold) that no reviewer \
            has decided yet, the longest-held first, with the rule, the notice id and the reviewers. Rebuilds \
            the flows from the whole journal.
            """)
    var held = false

    @Option(help: "The hub's config file (its journal is read).")
    var config: String

    @Flag(help: "Print the latest feedback of each matching filing as one JSON object per line.")
    var json = false

    func validate() throws {
        if [cluster, id != nil, awaitingDeparture, held].filter({ $0 }).count > 1 {
            throw ValidationError("give one of a filing's id, --cluster, --awaiting-departure or --held")
        }
        if !cluster && !awaitingDeparture && !held && id == nil {
            throw ValidationError("missing the filing's id (or --cluster, --awaiting-departure, --held)")
        }
    }

    func run() throws {
        if cluster { return try ClusterStatusCommand.run(config: config, json: json) }
        let hubConfig = try HubConfig.load(path: config)
        let inspector = try JournalAccess.inspector(hubConfig.store, archiveDirectory: hubConfig.archive?.directory)
        if held { return try Self.held(config: hubConfig, inspector: inspector, json: json) }
        guard let id else { return try Self.awaitingDeparture(config: hubConfig, inspector: inspector, json: json) }
        let histories = try inspector.feedback(subjectId: id)
        guard !histories.isEmpty else {
            throw CommandFailure(
                .notFound,
                "no feedback about a filing with id '\(id)' in the journal (is it a \(MessageType.registration)'s or \(MessageType.inventory)'s id, and are flows on?)"
            )
        }
        for history in histories {
            guard var latest = history.feedback.last else { continue }
            // The parcel's whole history, also what came after the final feedback.
            let events = try Self.parcelEvents(of: latest, inspector: inspector)
            if !events.isEmpty { latest.history = events }
            if json {
                var options = JSONEncodingOptions()
                options.preserveProtoFieldNames = true
                Output.line(try latest.jsonString(options: options))
            } else {
                Output.line(
                    ([Self.render(latest, filer: history.filer, history: history.feedback)] + Self.render(events: events))
                        .joined(separator: "\n"))
                if latest.subjectType == MessageType.inventory.rawValue, let invtNo = latest.departments.first?.code {
                    for line in try Self.afterRelease(invtNo: invtNo, inspector: inspector) { Output.line(line) }
                }
            }
        }
    }

    static func render(_ feedback: BizFeedback, filer: String, history: [BizFeedback]) -> String {
        var lines = [
            "\(feedback.subjectType) \(feedback.subjectID) filed by \(filer), key \(feedback.subjectKey)",
            "  state: \(name(feedback.state))\(feedback.final ? " (final)" : "")  updated \(time(feedback.updatedAtUs))",
        ]
        let width = max(13, (feedback.departments.map(\.department.count) + feedback.documents.map(\.document.count)).max() ?? 0)
        for status in feedback.departments {
            var line = "  " + status.department.padding(toLength: width, withPad: " ", startingAt: 0)
            line += "  " + status.status.padding(toLength: 14, withPad: " ", startingAt: 0)
            if !status.code.isEmpty { line += "  code \(status.code)" }
            if !status.reason.isEmpty { line += "  \(status.reason)" }
            lines.append(line)
        }
        for document in feedback.documents {
            var line = "  " + document.document.padding(toLength: width, withPad: " ", startingAt: 0)
            line += "  " + document.status.padding(toLength: 14, withPad: " ", startingAt: 0)
            if !document.id.isEmpty { line += "  \(document.id) by \(document.filer)" }
            if !document.reason.isEmpty { line += "  \(document.reason)" }
            lines.append(line)
        }
        let missing = feedback.documents.filter { $0.status == "missing" }.map(\.document)
        if !missing.isEmpty { lines.append("  missing: \(missing.joined(separator: ", "))") }
        if !feedback.pendingDepartments.isEmpty { lines.append("  pending: \(feedback.pendingDepartments.joined(separator: ", "))") }
        for reason in feedback.reasons { lines.append("  reason: \(reason)") }
        lines.append("  history: \(history.map { name($0.state) + ($0.final ? " (final)" : "") }.joined(separator: " → "))")
        return lines.joined(separator: "\n")
    }

    static func name(_ state: BizFeedbackState) -> String {
        switch state {
        case .pending: "PENDING"
        case .accepted: "ACCEPTED"
        case .partiallyAccepted: "PARTIALLY_ACCEPTED"
        case .refused: "REFUSED"
        case .expired: "EXPIRED"
        case .waiting: "WAITING"
        case .incomplete: "INCOMPLETE"
        case .withdrawn: "WITHDRAWN"
        case .held: "HELD"
        default: "UNSPECIFIED"
        }
    }

    static func time(_ us: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: Double(us) / 1_000_000))
    }
}
