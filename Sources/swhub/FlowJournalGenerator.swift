import FlowSamples
import Foundation
import HubCore
import HubProtocol
import HubRouting
import HubStore
import SwiftProtobuf

/// Writes a journal of single-window traffic straight into a SQLite store, in large
/// transactions, as a hub running the flows would have journaled it over `days` of journal
/// time: the filers' registrations and the departments' results, declarations (order,
/// payment, waybill, inventory; half of them exports, one in 50 mismatched), customs'
/// receipts some hundred declarations later (120, 800, 899; one in 33 rejected with 100),
/// the released exports' departures (离境),
/// merchants registered now and then, queries the hub answers, daily summaries with
/// customs' 702 receipts and results. What the hub emits is what a ``FlowEngine`` fed the
/// same messages emits, journaled right after the message that caused it, and the engine's
/// state is saved every `flows.snapshot_every` flow messages near the end, as the hub
/// saves it (``FlowSnapshotStore``). Every party has acknowledged the whole journal.
struct FlowJournalGenerator {
    /// What was written.
    struct Summary {
        var records: UInt64
        var declarations: Int
        var lastSnapshotSeq: UInt64?
        var recordsAfterSnapshot: UInt64
        var firstJournaledAtUs: Int64
        var lastJournaledAtUs: Int64
    }

    private let store: SQLiteJournalStore
    private let routing: RoutingTable
    private var engine: FlowEngine
    private let snapshotEvery: Int
    private let parties: [String]
    private var batch: [(entry: JournalAppend, journaledAtUs: Int64)] = []
    private var nextSeq: UInt64
    private var time: Int64
    private var readsSinceSnapshot = 0
    private var lastSnapshotSeq: UInt64?
    private var summaryAnswers = 0

    /// The receipts customs sends for a declaration, and how many declarations later each comes.
    private static let receiptLags: [(status: Int32, lag: Int)] = [(120, 150), (800, 300), (899, 450)]

    init(config: HubConfig, store: SQLiteJournalStore, startUs: Int64) throws {
        let policy = try RedactionPolicy(config: config, schema: HubConfig.schema())
        self.store = store
        routing = RoutingTable(config: config)
        engine = FlowEngine(config: config, policy: policy)
        // As the hub's (Hub.flowEngine): held release notices read back from the journal.
        engine.heldBodies = JournalHeldBodies(store: store)
        snapshotEvery = max(1, config.flows?.snapshotEvery ?? 50_000)
        parties = config.parties.map(\.id)
        nextSeq = try store.headSeq() + 1
        time = startUs
    }

    /// Writes about `messages` records spread over `days`, ending just before the next
    /// snapshot would be due (the longest journal tail a restart reads); `progress` is told
    /// the records written now and then.
    mutating func generate(messages: UInt64, days: Int, progress: (UInt64) -> Void) throws -> Summary {
        let first = time
        // About 17.5 records per declaration (4 documents, 4 forwards, 4 feedback, 3
        // receipts, a release notice for most, a departure and its feedback for half,
        // summaries and the rest).
        let declarations = max(1, Int(Double(messages) / 17.5))
        let stepUs = Int64(days) * 86_400_000_000 / Int64(declarations)
        try registerFilers()
        var n = 0
        var reported: UInt64 = 0
        while true {
            n += 1
            try declare(n)
            for (status, lag) in Self.receiptLags where n > lag { try receipt(n - lag, status: status) }
            if n % 500 == 0 { try registerMerchant(n / 500) }
            if n % 1000 == 0 { try query(n) }
            time += stepUs
            try tick()
            if nextSeq - 1 - reported >= 1_000_000 {
                reported = nextSeq - 1
                progress(reported)
            }
            // Snapshots over the last fifth, as the hub saves them; the journal ends just
            // before the next one would be due.
            if nextSeq - 1 >= messages * 4 / 5 && readsSinceSnapshot >= snapshotEvery { try saveSnapshot() }
            if nextSeq - 1 >= messages && readsSinceSnapshot >= snapshotEvery - 12 { break }
        }
        try flush()
        let records = nextSeq - 1
        // Every party read everything, as departments that stay connected do.
        try store.saveAcks(Dictionary(uniqueKeysWithValues: parties.map { ($0, records) }))
        return Summary(
            records: records, declarations: n, lastSnapshotSeq: lastSnapshotSeq,
            recordsAfterSnapshot: records - (lastSnapshotSeq ?? 0), firstJournaledAtUs: first, lastJournaledAtUs: time)
    }

    private mutating func registerFilers() throws {
        for filer in FlowDriver.filerCodes {
            let id = "reg-\(filer.party)-1"
            let registration = SampleFilings.registration(
                copNo: id, socialCreditCode: filer.credit, customsCode: filer.customs, name: filer.party,
                roles: [.platform, .ecommerceEnterprise, .paymentCompany, .logisticsCompany], bankCode: SingleWindowSetup.bankCode)
            try input(filer.party, .registration, id, registration)
            try answerRegistration(id: id, filer: filer.party, creditCode: filer.credit)
        }
    }

    private mutating func registerMerchant(_ m: Int) throws {
        let id = "reg-merchant-\(m)"
        let digits = String(m)
        let code = "91330100MA" + String(repeating: "0", count: max(0, 7 - digits.count)) + digits + "M"
        let registration = SampleFilings.registration(
            copNo: id, socialCreditCode: code, customsCode: "", name: "商户 \(m)", roles: [.ecommerceEnterprise],
            bankCode: SingleWindowSetup.bankCode)
        try input("platform", .registration, id, registration)
        try answerRegistration(id: id, filer: "platform", creditCode: code)
    }

    private mutating func answerRegistration(id: String, filer: String, creditCode: String) throws {
        for department in SingleWindowSetup.departments where department != filer {
            var result = BizRegistrationResult()
            result.socialCreditCode = creditCode
            result.decision = .accepted
            result.code = department == "customs" ? "33019600\(id.count)" : ""
            try input(department, .registrationResult, "res-\(department)-\(id)", result, correlation: "share:\(filer):\(id)")
        }
    }

    private mutating func declare(_ n: Int) throws {
        var docs = SampleFilings.declaration(n, mismatch: n % 50 == 7 ? .consignee : nil)
        if n % 2 == 0 { docs.inventory.ieFlag = "E" }
        let documents: [(String, MessageType, String, any SwiftProtobuf.Message)] = [
            ("platform", .order, "order-\(n)", docs.order), ("bank-boc", .payment, "payment-\(n)", docs.payment),
            ("post", .waybill, "waybill-\(n)", docs.waybill), ("platform", .inventory, "inventory-\(n)", docs.inventory),
        ]
        for k in 0..<4 {
            let (sender, type, id, document) = documents[(k + n) % 4]
            try input(sender, type, id, document)
        }
    }

    private mutating func receipt(_ n: Int, status: Int32) throws {
        guard n % 50 != 7 else { return }  // mismatched: never forwarded
        let rejected = n % 33 == 5
        if rejected && status != 120 { return }
        var receipt = BizReceipt()
        receipt.invtNo = "INV\(n)"
        receipt.returnStatus = rejected ? 100 : status
        let forward = HubMessageId.forward(filer: "platform", inventoryId: "inventory-\(n)", document: .inventory).description
        try input("customs", .receipt, "rc-\(n)-\(status)", receipt, correlation: forward)
        // A released export's parcel leaves the country (离境): the post files its departure,
        // which makes it a summary candidate (flows.summary.require_departure).
        if status == 800 && n % 2 == 0 {
            let waybill = SampleFilings.declaration(n).waybill
            let departure = SampleFilings.departure(
                copNo: "DEP-\(n)", logisticsCode: waybill.logisticsCode, logisticsNos: [waybill.logisticsNo])
            try input("post", .departure, "departure-\(n)", departure)
        }
    }

    private mutating func query(_ n: Int) throws {
        var query = BizQuery()
        query.subject = MessageType.releaseNotice.rawValue
        query.criteria = ["invt_no": "INV\(n - 400)"]
        try input("customs", .query, "q-\(n)", query)
    }

    private mutating func tick() throws {
        for emission in engine.tick(nowUs: time) { try journal(emission) }
    }

    /// A party's message: journaled, read by the flows, followed by what they emit.
    private mutating func input(
        _ sender: String, _ type: MessageType, _ id: String, _ message: some SwiftProtobuf.Message, correlation: String = ""
    ) throws {
        time += 1000
        let body: [UInt8] = try message.serializedBytes()
        var header = WireHeader()
        header.id = id
        header.type = type.rawValue
        header.correlationID = correlation
        let recipients = (try? routing.route(from: sender, header: header, bodyBytes: body.count).get()) ?? []
        let seq = try append(sender: sender, id: id, type: type.rawValue, recipients: recipients, correlation: correlation, body: body)
        readsSinceSnapshot += 1
        let emissions = engine.journaled(
            FlowInput(
                seq: seq, sender: sender, id: id, type: type.rawValue, recipients: recipients, correlationId: correlation,
                journaledAtUs: time, body: body))
        for emission in emissions { try journal(emission) }
    }

    /// One of the hub's emissions, journaled; customs answers a summary declaration.
    private mutating func journal(_ emission: FlowEmission) throws {
        _ = try append(
            sender: HubConfig.hubParty, id: emission.id, type: emission.type, recipients: emission.recipients,
            correlation: emission.correlationId, body: emission.body)
        guard emission.type == MessageType.summaryDeclaration.rawValue else { return }
        summaryAnswers += 1
        var receipt = BizReceipt()
        receipt.messageType = "CEB702Message"
        receipt.copNo = emission.id
        receipt.sumNo = "S\(summaryAnswers)"
        receipt.returnStatus = 2
        try input("customs", .receipt, "rc-\(emission.id)", receipt)
        var result = BizSummaryResult()
        result.sumNo = receipt.sumNo
        result.entryID = "2929\(summaryAnswers)"
        try input("customs", .summaryResult, "sres-\(summaryAnswers)", result, correlation: emission.id)
    }

    private mutating func append(sender: String, id: String, type: String, recipients: [String], correlation: String, body: [UInt8])
        throws -> UInt64
    {
        batch.append(
            (
                JournalAppend(
                    sender: sender, id: id, type: type, recipients: recipients, correlationId: correlation, createdAtUs: time,
                    body: body),
                time
            ))
        let seq = nextSeq
        nextSeq += 1
        if batch.count >= 50_000 { try flush() }
        return seq
    }

    private mutating func flush() throws {
        guard !batch.isEmpty else { return }
        let outcomes = try store.appendStamped(batch)
        guard let last = outcomes.last, last.seq == nextSeq - 1, !last.duplicate else {
            throw BenchError("the generated journal's seqs did not come out as planned (\(outcomes.last?.seq ?? 0), not \(nextSeq - 1))")
        }
        batch.removeAll(keepingCapacity: true)
    }

    private mutating func saveSnapshot() throws {
        try flush()
        // As the hub does before a snapshot: the journal holds every emission now.
        engine.parkHeldBodies()
        let snapshot = engine.snapshot()
        try store.saveFlowSnapshot(seq: snapshot.seq, bytes: snapshot.encoded())
        lastSnapshotSeq = snapshot.seq
        readsSinceSnapshot = 0
    }
}
