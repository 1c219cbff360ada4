import ArgumentParser
import Foundation
import HubClient
import HubCore
import HubProtocol
import Logging

/// `swhub replay`: a party's journaled stream (its own, or one the policy lets it audit)
/// from a seq or a time, optionally by type, written as JSON lines or length-delimited
/// protobuf; with `--follow` it goes on live after catching up.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a party's journaled stream from a seq or a time, as JSON lines or length-delimited protobuf.")

    @Option(
        help: "Client config file (see Deploy/client-customs.yaml); hub_endpoints: [A, B] lists a hub cluster's nodes, failed over in turn."
    )
    var config: String

    @Option(help: "Whose stream (default: the config's own party). Another party's needs `audit:` in the hub's policy.")
    var party: String?

    @Option(help: "Replay messages with seq >= N.")
    var fromSeq: UInt64?

    @Option(help: "Replay messages journaled at or after TIME: ISO 8601 (2026-11-22T08:00:00Z) or Unix seconds.")
    var since: String?

    @Option(name: .customLong("type"), help: "Only this message type (repeatable).")
    var types: [String] = []

    @Flag(help: "After catching up, go on with live messages until interrupted.")
    var follow = false

    @Option(help: "Write to FILE instead of standard output.")
    var to: String?

    @Option(help: "json (one object per line) or proto (length-delimited swhub.v1.JournalEntry).")
    var format: String = "json"

    @Option(help: "The hub's config file, to render the bodies of its typed types as JSON (default: the business types).")
    var hubConfig: String?

    @Option(help: "Unacknowledged deliveries at once (default: the hub's).")
    var credit: UInt32 = 0

    @OptionGroup var log: LogOptions

    func validate() throws {
        guard (fromSeq == nil) != (since == nil) else { throw ValidationError("give exactly one of --from-seq and --since") }
        if let since, Self.parseTime(since) == nil {
            throw ValidationError("--since '\(since)' is neither ISO 8601 (2026-11-22T08:00:00Z) nor Unix seconds")
        }
        guard ReplayOutput.Format(rawValue: format) != nil else { throw ValidationError("--format must be json or proto") }
    }

    func run() async throws {
        let logger = log.bootstrap(label: "swhub.replay")
        let clientConfig = try HubClientConfiguration.load(path: config)
        let typed = ReplayOutput.typedTypes(hubTypeMessages: try hubConfig.map { try HubConfig.load(path: $0).typeMessages })
        let output = try ReplayOutput(path: to, format: ReplayOutput.Format(rawValue: format) ?? .json, typed: typed)
        defer { output.close() }
        let request = ReplayRequest(
            party: party ?? "", fromSeq: fromSeq ?? 0, sinceUs: since.flatMap(Self.parseTime) ?? 0, types: types, follow: follow,
            credit: credit)
        let session = try ReplaySession(configuration: clientConfig, request: request, logger: logger)
        let signals = Self.closeOnSignals(session)
        defer {
            for signal in signals { signal.cancel() }
            session.close()
        }
        var count = 0
        var bytes = 0
        var seqs: (first: UInt64, last: UInt64)?
        var status: ReplayStatus?
        do {
            for try await event in session.events {
                switch event {
                case .started(let started):
                    status = started
                case .delivery(let delivery):
                    try output.write(delivery)
                    session.acknowledge(delivery.seq)
                    count += 1
                    bytes += delivery.body.count
                    seqs = (seqs?.first ?? delivery.seq, delivery.seq)
                case .caughtUp(let caughtUp):
                    status = caughtUp
                    if follow { Self.note("caught up at seq \(caughtUp.headSeq) after \(count) messages; following live") }
                case .finished(let finished):
                    status = finished
                }
            }
        } catch let error as HubClientError {
            throw CommandFailure(ExitStatus.of(error), "replay refused or failed: \(error)")
        }
        let stream = status.map { $0.party } ?? party ?? clientConfig.party ?? "own"
        let range = seqs.map { "seq \($0.first)…\($0.last)" } ?? "nothing"
        Self.note(
            "replayed \(count) messages (\(bytes) body bytes) of \(stream)'s stream: \(range); first_seq \(status?.firstSeq ?? 0), "
                + "head_seq \(status?.headSeq ?? 0); written to \(to ?? "standard output") as \(format)")
    }

    /// ISO 8601 (with or without fractional seconds, `Z` or an offset) or Unix seconds, as µs.
    static func parseTime(_ text: String) -> Int64? {
        if let seconds = Double(text), seconds.isFinite, seconds >= 0 { return Int64((seconds * 1_000_000).rounded()) }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }
        }
        return nil
    }

    /// A line to standard error (fd 2).
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// SIGINT and SIGTERM end the replay cleanly, so the summary is still printed.
    private static func closeOnSignals(_ session: ReplaySession) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { session.close() }
            source.resume()
            return source
        }
    }
}
