import Foundation
import HubClient
import HubProtocol
import HubStore
import Logging

/// What a replay session reported.
struct ReplayLog: Sendable {
    var statuses: [ReplayStatus] = []
    var deliveries: [Delivery] = []
    var seqs: [UInt64] { deliveries.map(\.seq) }
    func phases() -> [ReplayStatus.Phase] { statuses.map(\.phase) }
}

extension TestHub {
    /// A replay session for `party`'s key, acknowledging every delivery.
    func replaySession(_ party: String, _ request: ReplayRequest) throws -> ReplaySession {
        var logger = Logger(label: "test.replay.\(party)")
        logger.logLevel = .warning
        return try ReplaySession(configuration: clientConfiguration(party), request: request, logger: logger)
    }

    /// Runs a replay to its end (FINISHED), or until `stop` says so, acknowledging each
    /// delivery; throws the hub's refusal, or a timeout after `limit`.
    func replay(
        _ party: String, _ request: ReplayRequest, within limit: Duration = .seconds(20),
        stop: @escaping @Sendable (ReplayLog) -> Bool = { _ in false }
    ) async throws -> ReplayLog {
        let session = try replaySession(party, request)
        defer { session.close() }
        return try await withTimeout(limit, "replay of \(request.party.isEmpty ? party : request.party)") {
            var log = ReplayLog()
            for try await event in session.events {
                switch event {
                case .started(let status), .caughtUp(let status), .finished(let status):
                    log.statuses.append(status)
                case .delivery(let delivery):
                    log.deliveries.append(delivery)
                    session.acknowledge(delivery.seq)
                }
                if stop(log) { break }
            }
            return log
        }
    }

    /// `party`'s stream as the journal holds it: seqs ≥ `from`, of `types` (empty: all).
    func journalStream(_ party: String, from: UInt64 = 1, types: [String] = []) throws -> [JournalRecord] {
        try openJournal().fetch(recipient: party, after: from - 1, limit: 1_000_000, types: types).records
    }
}
