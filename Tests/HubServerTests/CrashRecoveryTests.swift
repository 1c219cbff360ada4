import Foundation
import HubClient
import HubStore
import HubTestSupport
import Logging
import Synchronization
import Testing

/// kill -9 of the hub in the middle of a stream of 10,000 submissions: after a restart every
/// accepted message is delivered, in order, with no gap, and nothing is journaled twice.
@Suite("Crash recovery", .serialized)
struct CrashRecoveryTests {
    @Test(.timeLimit(.minutes(3)))
    func killNineMidStreamLosesNothingAccepted() async throws {
        let total = 10_000
        let hub = try TestHub(parties: [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"])])
        try await hub.start()
        let sender = try hub.client("enterprise")
        let receiver = try hub.client("customs", receive: true, credit: 200)
        defer {
            sender.close()
            receiver.close()
        }
        try await receiver.connect()

        // The receiver records every delivery it is handed and acknowledges every 50th.
        let receiving = Task { () -> [(seq: UInt64, id: String)] in
            var got: [(seq: UInt64, id: String)] = []
            for await delivery in receiver.deliveries {
                got.append((delivery.seq, delivery.header.id))
                if got.count % 50 == 0 { receiver.acknowledge(delivery.seq) }
                if got.count == total { break }
            }
            return got
        }

        // The sender keeps 100 submissions in flight; a failed one is retried under its id.
        let acceptedSoFar = Counter()
        let killer = Task {
            try await waitUntil(.seconds(180), "3,000 accepted before the crash") { acceptedSoFar.value >= 3000 }
            await hub.kill9()
            // An outage, not a test pause: the clients meet a dead hub for a while before it is back.
            try await Task.sleep(for: .milliseconds(300))
            try await hub.start()
        }
        var accepted: [String: UInt64] = [:]
        try await withThrowingTaskGroup(of: (String, UInt64).self) { group in
            var next = 0
            func submitOne(_ index: Int) {
                group.addTask {
                    let id = "msg-\(index)"
                    let body = Array("payload \(index)".utf8)
                    while true {
                        do {
                            let receipt = try await sender.submit(type: "demo.Note", body: body, id: id)
                            return (id, receipt.seq)
                        } catch let error as HubClientError where error.code == .timeout || error.hubCode?.codeClass == 3 {
                            continue
                        }
                    }
                }
            }
            while next < min(100, total) {
                submitOne(next)
                next += 1
            }
            for try await (id, seq) in group {
                #expect(accepted[id] == nil || accepted[id] == seq)
                accepted[id] = seq
                acceptedSoFar.increment()
                if next < total {
                    submitOne(next)
                    next += 1
                }
            }
        }
        try await killer.value
        let delivered = try await withTimeout(.seconds(60), "receiving every accepted message") {
            await receiving.value
        }

        #expect(accepted.count == total)
        // Nothing journaled twice: seqs 1...total, one per message.
        #expect(Set(accepted.values) == Set(1...UInt64(total)))
        // Delivered in journal order, without gap or duplicate (the SDK passes each seq on once).
        #expect(delivered.map(\.seq) == Array(1...UInt64(total)))
        // Each delivery is the message that was accepted under that seq.
        let bySeq = Dictionary(uniqueKeysWithValues: accepted.map { ($0.value, $0.key) })
        #expect(delivered.allSatisfy { bySeq[$0.seq] == $0.id })
        #expect(hub.log().contains("journal opened"))
    }
}

/// A counter shared between tasks.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
