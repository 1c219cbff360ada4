import FlowSamples
import Foundation
import HubClient
import HubCore
import HubProtocol
import HubStore
import HubTestSupport
import Logging
import Testing

/// `swhub serve` (on SQLite, and on PostgreSQL in Scripts/test.sh's pass with the journal
/// there) saves the flows' state every `flows.snapshot_every` flow
/// messages and, restarted (even by SIGKILL), starts from the newest snapshot and the
/// journal after it: the flows go on, and everything the hub journals is what a hub that
/// read the whole journal would have journaled (issue 20).
@Suite("Single-window flows: restart from a snapshot", .serialized)
struct FlowSnapshotServeTests {
    @Test func aHubRestartedFromASnapshotEmitsWhatAFullRebuildEmits() async throws {
        let world = try await FlowWorld(flows: ["snapshot_every: 8", "snapshot_interval_s: 0"])
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()
        for n in 1...6 { try await world.file(n, mismatch: n == 6 ? .consignee : nil) }
        let forwards = try await world.wait("customs", "ceb.Inventory", count: 5) { $0.header.sender == "hub" }
        for (index, forward) in forwards.enumerated() {
            // 1 and 2 closed, 3 and 4 released, 5 accepted only.
            for status: Int32 in index < 2 ? [120, 800, 899] : index < 4 ? [120, 800] : [120] {
                try await world.receipt(for: forward, status: status)
            }
        }
        _ = try await world.waitFeedback("platform", subject: "inventory-5") { $0.departments.first?.status == "120" }
        _ = try await world.waitFeedback("platform", subject: "inventory-1") { $0.final }
        try await waitUntil(.seconds(30), "no flows' snapshot was saved") { Self.latestSnapshotSeq(world.hub) != nil }
        // After the snapshot: a declaration still missing its inventory.
        try await world.file(7, order: ["order", "payment", "waybill"])
        let snapshotSeq = try #require(Self.latestSnapshotSeq(world.hub))

        await world.hub.kill9()
        world.close()
        try await world.hub.start()
        try await world.connectAll()
        let started = world.hub.log().split(separator: "\n").last { $0.contains("flows rebuilt from the journal") } ?? ""
        #expect(Self.number(after: "from_snapshot_seq", in: String(started)) ?? 0 >= snapshotSeq, "\(started)")

        // The flows go on: the missing inventory completes 7, a release, a closing.
        try await world.file(7, order: ["inventory"])
        let seventh = try await world.wait("customs", "ceb.Inventory") {
            $0.header.sender == "hub" && $0.header.correlationID == "inventory-7"
        }
        try await world.receipt(for: seventh[0], status: 120)
        try await world.receipt(for: forwards[4], status: 800)
        try await world.receipt(for: forwards[2], status: 899)
        _ = try await world.waitFeedback("platform", subject: "inventory-7") { $0.departments.first?.status == "120" }
        _ = try await world.waitFeedback("platform", subject: "inventory-5") { $0.state == .accepted }
        _ = try await world.waitFeedback("platform", subject: "inventory-3") { $0.final }
        // A release notice from before the restart, whose body the hub reads back from the
        // journal (it keeps no bodies of what the journal holds), answers a query whole.
        let releasedBefore = try BizInventory(serializedBytes: forwards[3].body)
        var query = BizQuery()
        query.subject = "flow.ReleaseNotice"
        query.criteria = ["order_no": releasedBefore.orderNo]
        try await world.submit("customs", "flow.Query", query, id: "q-after-restart")
        let answered = try #require(try await world.wait("customs", "flow.Answer").first)
        let answer = try BizAnswer(serializedBytes: answered.body)
        let notice = try BizReleaseNotice(serializedBytes: try #require(answer.records.first).body)
        #expect(answer.total == 1 && notice.orderNo == releasedBefore.orderNo)
        #expect(notice.inventoryList.count == releasedBefore.inventoryList.count && !notice.inventoryList.isEmpty)
        world.close()
        #expect(await world.hub.terminate() == 0)

        // A fresh engine fed the whole journal emits exactly what the hub journaled.
        let journal = try world.hub.openJournal()
        let config = try HubConfig.load(path: world.hub.configPath)
        var engine = FlowEngine(config: config, policy: try RedactionPolicy(config: config, schema: HubConfig.schema()))
        var expected: [String: [UInt8]] = [:]
        var journaled: [String: [UInt8]] = [:]
        var after: UInt64 = 0
        while true {
            let page = try journal.records(types: HubConfig.flowTypes.keys.sorted(), after: after, limit: 500)
            guard let last = page.last else { break }
            after = last.seq
            for record in page {
                if record.sender == HubConfig.hubParty {
                    journaled[record.id] = record.body
                    continue
                }
                let input = FlowInput(record)
                for emission in engine.journaled(input) where expected[emission.id] == nil { expected[emission.id] = emission.body }
            }
        }
        #expect(expected.count > 40)
        #expect(Set(expected.keys) == Set(journaled.keys))
        let sameBodies = expected.allSatisfy { journaled[$0.key] == $0.value }
        #expect(sameBodies, "every emission journaled with the bytes a full rebuild gives")
        // Feedback numbered without gaps or repeats across the restart.
        let feedback = try journal.records(sender: "hub", idPrefix: "fb:inventory-3:platform:")
        #expect(feedback.map(\.id) == (1...feedback.count).map { String(format: "fb:inventory-3:platform:%06d", $0) })
    }

    /// The seq of the newest flows' snapshot in the hub's journal (opened read-only beside
    /// the hub, and closed again).
    static func latestSnapshotSeq(_ hub: TestHub) -> UInt64? {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let journal: (any FlowSnapshotStore)?
        if SuitePostgres.endpoint != nil {
            journal = (try? hub.openJournal()) as? any FlowSnapshotStore
        } else {
            journal = try? SQLiteJournalStore(path: hub.journalPath, logger: logger, readOnly: true)
        }
        return (try? journal?.flowSnapshotSeqs().first) ?? nil
    }

    /// The integer after `key` in a log line (`key=123`, `key: 123`, `"key":"123"`).
    static func number(after key: String, in line: String) -> UInt64? {
        guard let range = line.range(of: key) else { return nil }
        let digits = line[range.upperBound...].drop { !$0.isNumber }.prefix { $0.isNumber }
        return UInt64(digits)
    }
}
