import ArgumentParser
import Foundation
import HubCore
import HubStore

/// `swhub trace ID`: every event of a message, registration or declaration in time order —
/// received, journaled, delivered, acknowledged — with its receipts, forwards, feedback,
/// release notices and answers (源头可溯、去向可查). Reads the journal only, so it is safe
/// beside a running hub.
struct Trace: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Show the path of a message, registration or declaration: who sent, journaled, delivered, acknowledged, and what followed.")

    @Argument(help: "A message id (of any sender): a registration's, a declaration document's, any message's.")
    var id: String

    @Option(help: "The journal file to read.")
    var journal: String?

    @Option(help: "The hub's config file (its journal is read).")
    var config: String?

    @Flag(help: "Print the trace as one JSON object (TraceReport).")
    var json = false

    func validate() throws {
        guard (journal == nil) != (config == nil) else {
            throw ValidationError("give the journal with exactly one of --journal PATH or --config HUB.yaml")
        }
    }

    func run() throws {
        let hubConfig = try config.map { try HubConfig.load(path: $0) }
        let store = journal.map { HubConfig.Store.sqlite(path: $0) } ?? hubConfig?.store ?? .sqlite(path: "")
        let report: TraceReport
        do {
            report = try JournalAccess.inspector(store, archiveDirectory: hubConfig?.archive?.directory).trace(id)
        } catch let error as StoreError where error.code == .notFound {
            throw CommandFailure(.notFound, "trace: \(error)")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            Output.line(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            for line in Self.render(report) { Output.line(line) }
        }
    }

    /// The timeline: a heading, then one line per event.
    static func render(_ report: TraceReport) -> [String] {
        let parties = Set(report.messages.flatMap { [$0.sender] + $0.deliveries.map(\.party) })
        var lines = ["trace \(report.id): \(report.subject.rawValue), \(report.messages.count) message(s) among \(parties.count) parties"]
        for event in report.events {
            let time = event.atUs.map(timestamp) ?? "(not recorded)".padding(toLength: 24, withPad: " ", startingAt: 0)
            let what: String
            switch event.kind {
            case .received: what = event.party == HubConfig.hubParty ? "emitted by the hub" : "from \(event.party)"
            case .journaled: what = ""
            case .delivered: what = "to \(event.party)"
            case .acknowledged: what = "by \(event.party)"
            case .notDelivered: what = "to \(event.party): not delivered"
            case .notAcknowledged: what = "by \(event.party): not acknowledged"
            }
            let kind = event.kind.rawValue.replacingOccurrences(of: "_", with: " ")
            lines.append(
                "\(time)  \(kind.padding(toLength: 16, withPad: " ", startingAt: 0)) seq \(event.seq)  \(event.type) \(event.messageId) [\(event.role.rawValue)]"
                    + (what.isEmpty ? "" : "  \(what)"))
        }
        return lines
    }

    /// ISO 8601 UTC with milliseconds, e.g. 2026-11-22T05:01:02.123Z.
    static func timestamp(_ us: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(us) / 1_000_000))
    }
}
