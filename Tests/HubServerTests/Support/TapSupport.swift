import Foundation
import HubClient
import HubTestSupport
import Testing

extension TestHub {
    /// How many subscriptions with exactly this prefix the hub's tap has applied, from its
    /// log (`tap subscription` lines).
    func appliedTapSubscriptions(_ prefix: String) -> Int {
        log().split(separator: "\n").filter { $0.hasSuffix("tap subscription") && $0.contains("prefix=\(prefix) ") }.count
    }

    /// How many subscriptions the hub's tap has refused, from its log.
    func refusedTapSubscriptions(_ prefix: String) -> Int {
        log().split(separator: "\n").filter { $0.hasSuffix("tap subscription refused") && $0.contains("prefix=\(prefix) ") }.count
    }

    /// A tap subscriber for `party`, subscribed to `party/` + each filter, returned once the
    /// hub has applied every one of its subscriptions.
    func tapSubscriber(_ party: String, filters: [String] = [""], receiveQueue: Int32 = 10_000) async throws -> HubTap {
        let before = filters.map { appliedTapSubscriptions("\(party)/\($0)") }
        let tap = try HubTap(configuration: clientConfiguration(party), party: party, receiveQueue: receiveQueue)
        for filter in filters { try tap.subscribe(filter) }
        try await waitUntil(.seconds(20), "the tap did not apply \(party)'s subscriptions \(filters): \(log())") {
            zip(filters, before).allSatisfy { appliedTapSubscriptions("\(party)/\($0)") > $1 }
        }
        return tap
    }
}

extension HubTap {
    /// Reads copies until one with `seq` (and `recipient`, when given) arrives; returns every
    /// copy read, that one last. Throws if it has not arrived within `limit`.
    func read(until seq: UInt64, recipient: String? = nil, within limit: Duration = .seconds(20)) throws -> [TapMessage] {
        let deadline = ContinuousClock.now + limit
        var read: [TapMessage] = []
        while ContinuousClock.now < deadline {
            guard let message = try next(timeout: .milliseconds(100)) else { continue }
            read.append(message)
            if message.header.seq == seq && (recipient == nil || message.recipient == recipient) { return read }
        }
        throw TimeoutError(description: "tap of \(party): seq \(seq) not received; got \(read.map { "\($0.header.seq)→\($0.recipient)" })")
    }
}
