import Foundation
import HubTestSupport
import Testing

/// The C adapter kit's batches (PROTOCOL.md section 16) against a real `swhub serve`:
/// `swhub_send()` gathers messages into SUBMIT_BATCHes and `swhub_next_reply()` answers each
/// on its own; a receiving session takes DELIVER_BATCHes and hands them out one at a time.
@Suite("The C adapter kit's batches", .serialized, .timeLimit(.minutes(5)))
struct CKitBatchTests {
    /// A reply of the driver's `replies` line: "id:code:seq".
    struct Answer: Equatable {
        let id: String
        let code: Int
        let seq: UInt64
    }

    static func answers(_ line: String) -> [Answer] {
        guard line.hasPrefix("ok replies ") else { return [] }
        return line.dropFirst("ok replies ".count).split(separator: ",").compactMap { item in
            let parts = item.split(separator: ":")
            guard parts.count == 3, let code = Int(parts[1]), let seq = UInt64(parts[2]) else { return nil }
            return Answer(id: String(parts[0]), code: code, seq: seq)
        }
    }

    /// The seqs of `answers` in order, each accepted, strictly increasing.
    static func expectAcceptedInOrder(_ answers: [Answer], ids: [String], after floor: UInt64 = 0) {
        #expect(answers.map(\.id) == ids)
        #expect(answers.allSatisfy { $0.code == 0 }, "\(answers)")
        let seqs = answers.map(\.seq)
        #expect(zip([floor] + seqs, seqs).allSatisfy { $0 < $1 }, "journaled in the order sent: \(seqs)")
    }

    @Test func sendsGoInBatchesAndAreAnsweredOneReplyPerMessage() async throws {
        let hub = try await CKitTests.startHub()
        let sender = try CDriver(hub: hub)
        #expect(try await sender.run("open enterprise.key_secret").hasPrefix("ok open party=enterprise"))
        #expect(try await sender.run("protocol") == "ok protocol version=2")
        // Batches of 10 that linger for a minute: two go when full, five wait for the flush.
        #expect(try await sender.run("batching 10 60000000") == "ok batching unsent=0")
        #expect(try await sender.run("sendmany 25 b demo.Note customs") == "ok sendmany count=25 unsent=5 pending=25")
        let first = Self.answers(try await sender.run("replies 20"))
        Self.expectAcceptedInOrder(first, ids: (0..<20).map { "b-\($0)" })
        #expect(try await sender.run("flush") == "ok flush unsent=0 pending=5")
        let rest = Self.answers(try await sender.run("replies 5"))
        Self.expectAcceptedInOrder(rest, ids: (20..<25).map { "b-\($0)" }, after: first.last?.seq ?? 0)
        // Each id once: the same ids again are duplicates of the same seqs.
        #expect(try await sender.run("sendmany 25 b demo.Note customs").hasPrefix("ok sendmany count=25 "))
        #expect(try await sender.run("flush").hasPrefix("ok flush unsent=0 "))
        let again = Self.answers(try await sender.run("replies 25"))
        #expect(again.map(\.seq) == (first + rest).map(\.seq))

        // customs takes DELIVER_BATCHes of up to 7, handed out one delivery at a time.
        let receiver = try CDriver(hub: hub)
        #expect(try await receiver.run("open customs.key_secret").hasPrefix("ok open party=customs"))
        #expect(try await receiver.run("batchdeliveries 7") == "ok batchdeliveries")
        #expect(try await receiver.run("start 100") == "ok start")
        for (index, answer) in (first + rest).enumerated() {
            let delivery = try await receiver.run("recv 10000")
            #expect(delivery == "ok deliver seq=\(answer.seq) id=b-\(index) type=demo.Note sender=enterprise corr= body=b-\(index)")
        }
        #expect(try await receiver.run("ack \(rest.last?.seq ?? 0)") == "ok ack seq=\(rest.last?.seq ?? 0)")
        #expect(try await receiver.run("recv 300").hasPrefix("error -4 SWHUB_ERR_TIMEOUT"))
        #expect(try await sender.finish() == 0)
        #expect(try await receiver.finish() == 0)
    }

    /// Submissions sent and not yet answered when the hub dies go again on the new
    /// connection in the order they were first submitted (the hub journals a sender's
    /// messages in the order they arrive), not in the order of the kit's table by id.
    @Test func unansweredSubmissionsAreResentInTheOrderFirstSent() async throws {
        let hub = try await CKitTests.startHub()
        let sender = try CDriver(hub: hub)
        #expect(try await sender.run("open enterprise.key_secret").hasPrefix("ok open party=enterprise"))
        #expect(try await sender.run("batching 25 60000000") == "ok batching unsent=0")
        // The hub reads nothing more: the full batch goes onto the socket and stays unanswered.
        try await hub.freeze()
        #expect(try await sender.run("sendmany 25 b demo.Note customs") == "ok sendmany count=25 unsent=0 pending=25")
        await hub.kill9()
        try await hub.start()
        let answers = Self.answers(try await sender.run("replies 25"))
        Self.expectAcceptedInOrder(answers, ids: (0..<25).map { "b-\($0)" })
        #expect(try await sender.finish() == 0)
    }

    /// A refused entry is refused alone; a batch the hub refuses as a whole (here: headers
    /// over 4096 bytes each, which the hub counts per entry) fails each of its messages.
    @Test func aRefusedEntryIsRefusedAloneAndARefusedBatchFailsEachMessage() async throws {
        let hub = try await CKitTests.startHub()
        let driver = try CDriver(hub: hub)
        #expect(try await driver.run("open enterprise.key_secret").hasPrefix("ok open"))
        #expect(try await driver.run("batching 10 60000000") == "ok batching unsent=0")
        #expect(try await driver.run("send r-1 demo.Note body=one").hasPrefix("ok sent id=r-1 unsent=1 "))
        #expect(try await driver.run("send r-2 demo.Unknown body=two").hasPrefix("ok sent id=r-2 unsent=2 "))
        #expect(try await driver.run("send r-3 demo.Note body=three to=nobody").hasPrefix("ok sent id=r-3 unsent=3 "))
        #expect(try await driver.run("send r-4 demo.Note body=four").hasPrefix("ok sent id=r-4 unsent=4 "))
        #expect(try await driver.run("flush") == "ok flush unsent=0 pending=4")
        let answers = Self.answers(try await driver.run("replies 4"))
        #expect(answers.map(\.id) == ["r-1", "r-2", "r-3", "r-4"])
        #expect(answers.map(\.code) == [0, 404, 407, 0])
        #expect(answers[0].seq > 0 && answers[3].seq > answers[0].seq)

        let big = String(repeating: "t", count: 4200)
        #expect(try await driver.run("send big-1 \(big) body=x").hasPrefix("ok sent id=big-1 unsent=1 "))
        #expect(try await driver.run("send big-2 \(big) body=x").hasPrefix("ok sent id=big-2 unsent=2 "))
        #expect(try await driver.run("flush") == "ok flush unsent=0 pending=2")
        for id in ["big-1", "big-2"] {
            let reply = try await driver.run("reply 10000")
            #expect(reply.hasPrefix("ok reply id=\(id) code=417 seq=0 duplicate=0 name=HEADER_TOO_LARGE "), "\(reply)")
            #expect(reply.contains("at most 8192"), "the two went as one batch: \(reply)")
        }
        // Without batches each goes as a SUBMIT of its own, refused on its own.
        #expect(try await driver.run("batching 0 0") == "ok batching unsent=0")
        #expect(try await driver.run("send big-3 \(big) body=x").hasPrefix("ok sent id=big-3 unsent=0 "))
        let single = try await driver.run("reply 10000")
        #expect(single.hasPrefix("ok reply id=big-3 code=417 ") && single.contains("at most 4096"), "\(single)")
        // The blocking submit works beside batches.
        #expect(try await driver.run("batching 10 60000000") == "ok batching unsent=0")
        #expect(try await driver.run("send w-1 demo.Note body=x").hasPrefix("ok sent id=w-1 unsent=1 "))
        #expect(try await driver.run("submit w-2 demo.Note body=y").hasPrefix("ok accepted id=w-2 "))
        #expect(try await driver.run("reply 10000").hasPrefix("ok reply id=w-1 code=0 "))
        #expect(try await driver.finish() == 0)
    }

    /// A batch that is not full goes once its oldest message lingered, whichever call of the
    /// library runs then (here swhub_receive on a party that sends to itself), and a reply
    /// waited for with nothing else on its way sends what lingers at once.
    @Test func aLingeringBatchGoesWhileTheLibraryRuns() async throws {
        let hub = try await CKitTests.startHub()
        let driver = try CDriver(hub: hub)
        #expect(try await driver.run("open customs.key_secret").hasPrefix("ok open party=customs"))
        #expect(try await driver.run("start 100") == "ok start")
        #expect(try await driver.run("batching 100 1000") == "ok batching unsent=0")
        #expect(try await driver.run("sendmany 3 l demo.Note customs").hasPrefix("ok sendmany count=3 "))
        for index in 0..<3 {
            #expect(try await driver.run("recv 10000").contains(" id=l-\(index) type=demo.Note sender=customs "))
        }
        Self.expectAcceptedInOrder(Self.answers(try await driver.run("replies 3")), ids: ["l-0", "l-1", "l-2"])
        // A minute's linger, but the caller waits for a reply and nothing else is on its way.
        #expect(try await driver.run("batching 100 60000000") == "ok batching unsent=0")
        #expect(try await driver.run("sendmany 2 m demo.Note customs").hasPrefix("ok sendmany count=2 unsent=2 "))
        Self.expectAcceptedInOrder(Self.answers(try await driver.run("replies 2")), ids: ["m-0", "m-1"])
        #expect(try await driver.finish() == 0)
    }
}
