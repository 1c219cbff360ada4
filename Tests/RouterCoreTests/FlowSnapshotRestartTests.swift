import FlowSamples
import HubCore
import HubProtocol
import HubRouting
import HubStore
import HubTestSupport
import Logging
import SwiftProtobuf
import Testing

/// One hub saving the flows' snapshots to its own store (issue 20): a restart reads the
/// newest usable snapshot and the journal after it, and ends up where reading the whole
/// journal ends up: the same state, owing the same emissions; a damaged snapshot is skipped
/// for an older one.
@Suite("RouterCore: the flows from a snapshot and the journal after it")
struct FlowSnapshotRestartTests {
    static func config(snapshotEvery: Int) throws -> HubConfig {
        var yaml =
            "hub:\n  endpoint: tcp://127.0.0.1:5570\n  key_file: hub.key\n  journal: j.sqlite\n"
        yaml += "flows: {snapshot_every: \(snapshotEvery), snapshot_interval_s: 0}\ntypes: [demo.Note]\nparties:\n"
        for (index, party) in FlowsTests.parties.enumerated() {
            let key = String(repeating: "0", count: 39) + String("abcdefghij".map { $0 }[index])
            yaml += "  - id: \(party.id)\n    public_key: \"\(key)\"\n    \(party.extra)\n"
        }
        return try HubConfig.parse(yaml: yaml, baseDirectory: "/") { _ in "" }
    }

    /// Sends a submission with a correlation id.
    static func submit(
        _ hub: RouterHarness, _ peer: HarnessPeer, _ type: String, _ id: String, _ message: some SwiftProtobuf.Message,
        correlation: String = ""
    ) throws {
        var header = WireHeader()
        header.id = id
        header.type = type
        header.correlationID = correlation
        var submit = WireSubmit()
        submit.header = header
        hub.send(peer, [WireProtocol.frame(.submit(submit)), try message.serializedBytes() as [UInt8]])
    }

    /// The filers register (every department accepts, the forex office of the post's
    /// stays silent), then `declarations` declarations: one in 7 mismatched, receipts
    /// 120, 800 and, for every other one, 899; a snapshot saved whenever one is due.
    static func traffic(_ hub: RouterHarness, declarations: Int) throws -> [FlowSnapshot] {
        var peers: [String: HarnessPeer] = [:]
        for party in FlowsTests.parties.map(\.id) {
            peers[party] = hub.connect(party)
            hub.hello(peers[party]!, receive: false)
        }
        var saved: [FlowSnapshot] = []
        func save() throws { if let snapshot = try hub.saveDueFlowSnapshot() { saved.append(snapshot) } }
        let filers = [("platform", FlowsTests.platformCode), ("bank-boc", "91110000BOC000001B"), ("post", "91110000POST00002C")]
        for (filer, code) in filers {
            let registration = SampleFilings.registration(
                copNo: filer, socialCreditCode: code, customsCode: "", name: filer, roles: [.platform], bankCode: "BKCHCNBJ")
            try submit(hub, peers[filer]!, "reg.Registration", "reg-\(filer)", registration)
            for department in FlowsTests.departments where department != filer && !(filer == "post" && department == "forex") {
                var result = BizRegistrationResult()
                result.socialCreditCode = code
                result.decision = .accepted
                result.code = department == "customs" ? "330196000\(filer.count)" : ""
                try submit(
                    hub, peers[department]!, "reg.Result", "res-\(department)-\(filer)", result, correlation: "share:\(filer):reg-\(filer)")
                try save()
            }
        }
        for n in 1...declarations {
            let docs = SampleFilings.declaration(n, mismatch: n % 7 == 3 ? .consignee : nil)
            try submit(hub, peers["platform"]!, "ceb.Order", "order-\(n)", docs.order)
            try submit(hub, peers["bank-boc"]!, "ceb.Payment", "payment-\(n)", docs.payment)
            try submit(hub, peers["post"]!, "ceb.Waybill", "waybill-\(n)", docs.waybill)
            try submit(hub, peers["platform"]!, "ceb.Inventory", "inventory-\(n)", docs.inventory)
            try save()
            guard n % 7 != 3 else { continue }
            for status: Int32 in n % 2 == 0 ? [120, 800, 899] : [120, 800] {
                var receipt = BizReceipt()
                receipt.invtNo = "INV\(n)"
                receipt.returnStatus = status
                try submit(
                    hub, peers["customs"]!, "ceb.Receipt", "rc-\(n)-\(status)", receipt,
                    correlation: "fwd:platform:inventory-\(n):inventory")
                try save()
            }
        }
        return saved
    }

    @Test func snapshotAndTailEndWhereTheWholeJournalEnds() throws {
        let store = InMemoryJournalStore()
        let config = try Self.config(snapshotEvery: 9)
        let hub = try RouterHarness(config: config, store: store)
        hub.savesFlowSnapshots()
        let saved = try Self.traffic(hub, declarations: 40)
        #expect(saved.count > 5)
        let head = try store.headSeq()
        let feedbacks = try store.records(sender: "hub", idPrefix: "fb:").count
        #expect(feedbacks > 100)
        // Only the newest three are kept; the newest is before the head (a tail to read).
        let seqs = try store.flowSnapshotSeqs()
        #expect(seqs.count == keptFlowSnapshots && seqs.first == saved.last?.seq)
        #expect(try #require(seqs.first) < head)

        let policy = try RedactionPolicy(config: config, schema: HubConfig.schema())
        var full = FlowEngine(config: config, policy: policy)
        let fullOwed = try RouterCore.rebuild(&full, from: store)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let snapshot = try #require(FlowSnapshotLoader.newestUsable(in: store, headSeq: head, logger: logger))
        #expect(snapshot.seq == seqs.first)
        var resumed = FlowEngine(config: config, policy: policy).restored(from: snapshot)
        let tailOwed = try RouterCore.rebuild(&resumed, from: store, after: snapshot.seq, owed: snapshot.owed)
        #expect(fullOwed.isEmpty && tailOwed.isEmpty, "the hub journaled everything it emitted")
        // The same state, byte for byte, once both clocks read the same time.
        let later = max(full.nowUs, resumed.nowUs) + 1_000_000
        #expect(full.tick(nowUs: later) == resumed.tick(nowUs: later))
        let same = full.snapshot().encoded() == resumed.snapshot().encoded()
        #expect(same)
        #expect(full.heldCounts.declarations < 40, "closed and mismatched declarations left memory")

        // A hub restarted from the snapshot owes nothing and goes on: the next receipt of
        // a declaration in progress gives its feedback.
        let restarted = try RouterHarness(config: config, store: store, fromSnapshot: true)
        #expect(try store.headSeq() == head, "nothing emitted twice")
        let customs = restarted.connect("customs")
        restarted.hello(customs, receive: false)
        var receipt = BizReceipt()
        receipt.invtNo = "INV39"
        receipt.returnStatus = 899
        try Self.submit(restarted, customs, "ceb.Receipt", "rc-39-899", receipt, correlation: "fwd:platform:inventory-39:inventory")
        let closing = try store.records(sender: "hub", idPrefix: "fb:inventory-39:platform:").last
        let feedback = try BizFeedback(serializedBytes: try #require(closing).body)
        #expect(feedback.final && feedback.departments.first?.status == "899")
    }

    @Test func aDamagedOrForeignSnapshotIsSkippedForAnOlderOne() throws {
        let store = InMemoryJournalStore()
        let config = try Self.config(snapshotEvery: 9)
        let hub = try RouterHarness(config: config, store: store)
        hub.savesFlowSnapshots()
        _ = try Self.traffic(hub, declarations: 12)
        let seqs = try store.flowSnapshotSeqs()
        #expect(seqs.count == keptFlowSnapshots)
        let head = try store.headSeq()
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        // The newest damaged (one byte flipped): the one before it is used.
        var bytes = try #require(try store.flowSnapshot(seq: seqs[0]))
        bytes[bytes.count / 2] ^= 0x01
        try store.saveFlowSnapshot(seq: seqs[0], bytes: bytes)
        #expect(FlowSnapshotLoader.newestUsable(in: store, headSeq: head, logger: logger)?.seq == seqs[1])
        // One beyond the journal's head (another journal's) is skipped too.
        try store.saveFlowSnapshot(seq: head + 5, bytes: try #require(try store.flowSnapshot(seq: seqs[1])))
        #expect(FlowSnapshotLoader.newestUsable(in: store, headSeq: head, logger: logger)?.seq == seqs[1])
        // None usable: the whole journal is read, and the state is the same.
        for seq in try store.flowSnapshotSeqs() { try store.saveFlowSnapshot(seq: seq, bytes: Array("damaged".utf8)) }
        #expect(FlowSnapshotLoader.newestUsable(in: store, headSeq: head, logger: logger) == nil)
        let restarted = try RouterHarness(config: config, store: store, fromSnapshot: true)
        #expect(try store.headSeq() == head)
        let same = restarted.core.flows?.stateCounts == hub.core.flows?.stateCounts
        #expect(same)
    }
}
