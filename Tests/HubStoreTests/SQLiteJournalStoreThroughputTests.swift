import Foundation
import HubStore
import Testing

@Suite("SQLiteJournalStore throughput")
struct SQLiteJournalStoreThroughputTests {
    /// Appends 20,000 1 KB messages in batches of 1,000 and prints the rate. No timing
    /// assertion: the numbers depend on the machine and the disk.
    @Test func appendThroughputSmoke() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            let payload = [UInt8](repeating: 0xAB, count: 1024)
            let batchSize = 1_000
            let batchCount = 20
            let batches = (0..<batchCount).map { batch in
                (0..<batchSize).map { index in
                    JournalAppend(
                        sender: "sender-\(index % 8)", id: "msg-\(batch)-\(index)", type: "order",
                        recipients: ["party-\((batch * batchSize + index) % 16)"], correlationId: "",
                        createdAtUs: Int64(batch * batchSize + index), body: payload
                    )
                }
            }
            let clock = ContinuousClock()
            var journaled = 0
            let elapsed = try clock.measure {
                for batch in batches {
                    journaled += try store.append(batch, acks: ["party-0": 1]).filter { !$0.duplicate }.count
                }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let total = batchSize * batchCount
            print(
                "appendThroughputSmoke: \(total) msgs of 1 KB in \(batchCount) batches, "
                    + "\(String(format: "%.3f", seconds)) s, \(Int(Double(total) / seconds)) msgs/s")
            #expect(journaled == total)
            #expect(try store.headSeq() == UInt64(total))
            #expect(try store.fetch(recipient: "party-3", after: 0, limit: 10_000).records.count == total / 16)
        }
    }
}
