import FlowSamples
import HubCore
import HubProtocol
import SwiftProtobuf

/// A demo-like run of the single window for the flows alone, as journaled messages and
/// the router's timer ticks between them: the filers' registrations (some departments
/// answer, some stay silent until the deadline), declarations in every order of their
/// documents (some mismatched, some missing a document, half of them exports), customs'
/// receipts up to release and closing, days passing (scheduled summaries, their 702
/// receipts and results), queries answered by the hub and relayed to a department (one
/// answered, one timing out), a blacklisting and its lifting, a summary request.
struct FlowWorkload {
    enum Step: Equatable {
        case input(FlowInput)
        case tick(Int64)
    }

    private(set) var steps: [Step] = []
    private(set) var time: Int64 = 1_763_700_000_000_000
    private var seq: UInt64 = 0
    private var summaries = 0

    /// The journaled messages only (what a rebuild from the journal reads).
    var inputs: [FlowInput] {
        steps.compactMap { step in
            guard case .input(let input) = step else { return nil }
            return input
        }
    }

    static let filers = [("platform", "91330100MA27XXXX1A"), ("bank", "91110000100000001B"), ("post", "91110000100000002C")]

    /// `declarations` declarations, a tenth mismatched and one in 25 missing its waybill.
    init(declarations: Int) throws {
        for (party, code) in Self.filers {
            let registration = SampleFilings.registration(
                copNo: party, socialCreditCode: code, customsCode: "", name: party, roles: [.platform], bankCode: "BKCHCNBJ")
            try add(party, "reg.Registration", "reg-\(party)", registration)
            // Customs and tax answer; forex, post and the bank stay silent until the deadline.
            for department in ["customs", "tax"] {
                var result = BizRegistrationResult()
                result.socialCreditCode = code
                result.decision = .accepted
                result.code = department == "customs" ? "33019600\(party.count)" : ""
                try add(department, "reg.Result", "res-\(department)-\(party)", result, correlation: "share:\(party):reg-\(party)")
            }
        }
        tick(after: 3000)
        for n in 1...max(1, declarations) {
            try declare(n)
            if n % 7 == 0 { tick(after: 50) }
            if n % 40 == 0 { try interchange(n) }
            if n % 500 == 0 || n == declarations { try nextDay() }
        }
        var request = BizSummaryRequest()
        request.ebcCode = SampleFilings.Filers().ebcCode
        try add("customs", "flow.SummaryRequest", "sreq-end", request)
        tick(after: 20_000)
    }

    private mutating func declare(_ n: Int) throws {
        var docs = SampleFilings.declaration(n, mismatch: n % 10 == 3 ? .consignee : nil)
        if n % 2 == 0 { docs.inventory.ieFlag = "E" }
        var documents: [(String, String, String, any SwiftProtobuf.Message)] = [
            ("bank", "ceb.Payment", "pay-\(n)", docs.payment), ("platform", "ceb.Inventory", "inv-\(n)", docs.inventory),
            ("post", "ceb.Waybill", "way-\(n)", docs.waybill), ("platform", "ceb.Order", "ord-\(n)", docs.order),
        ]
        var rotation = Rotation(n)
        documents.shuffle(using: &rotation)
        if n % 25 == 11 { documents.removeAll { $0.1 == "ceb.Waybill" } }
        for (sender, type, id, document) in documents { try add(sender, type, id, document) }
        guard documents.count == 4, n % 10 != 3 else { return }
        let parcel = (code: docs.waybill.logisticsCode, number: docs.waybill.logisticsNo)
        let export = n % 2 == 0
        if export && n % 6 == 2 {
            // Arrived at the supervised site, and (n % 4 == 2) left before its release.
            try add(
                "post", "ceb.Arrival", "arr-\(n)",
                SampleFilings.arrival(copNo: "A\(n)", logisticsCode: parcel.code, logisticsNos: [parcel.number]))
        }
        if export && n % 4 == 2 { try depart(n, parcel) }
        var receipt = BizReceipt()
        receipt.invtNo = "INV\(n)"
        let statuses: [Int32] = n % 9 == 0 ? [120, -301010] : n % 5 == 0 ? [120, 800, 899] : [120, 800]
        for status in statuses {
            receipt.returnStatus = status
            try add("customs", "ceb.Receipt", "rc-\(n)-\(status)", receipt, correlation: "fwd:platform:inv-\(n):inventory")
        }
        // Exports leave the country after their release (some never do); imports are delivered.
        if export && n % 4 == 0 && n % 16 != 0 { try depart(n, parcel) }
        if !export && n % 3 == 0 {
            try add(
                "post", "ceb.WaybillStatus", "ws-\(n)",
                SampleFilings.waybillStatus(logisticsCode: parcel.code, logisticsNo: parcel.number, status: "S"))
        }
    }

    /// The post files a departure of parcel `n`; customs accepts it (399), or, one in
    /// six, refuses it (100).
    private mutating func depart(_ n: Int, _ parcel: (code: String, number: String)) throws {
        let departure = SampleFilings.departure(copNo: "D\(n)", logisticsCode: parcel.code, logisticsNos: [parcel.number])
        try add("post", "ceb.Departure", "dep-\(n)", departure)
        let refused = n % 12 == 6
        let receipt = SampleFilings.departureReceipt(departure, status: refused ? 100 : 399, info: refused ? "退单" : "审结")
        try add("customs", "ceb.Receipt", "rc-dep-\(n)", receipt, correlation: "dep-\(n)")
    }

    private mutating func interchange(_ n: Int) throws {
        var query = BizQuery()
        query.subject = "flow.ReleaseNotice"
        query.criteria = ["invt_no": "INV\(n - 1)"]
        try add("customs", "flow.Query", "q-held-\(n)", query)
        query.subject = "ceb.Waybill"
        query.criteria = [:]
        try add("customs", "flow.Query", "q-relay-\(n)", query, recipients: ["post"])
        if n % 80 == 0 { try add("post", "flow.Answer", "a-\(n)", BizAnswer(), correlation: "q-relay-\(n)") }
        var notice = BizCreditNotice()
        notice.socialCreditCode = "91110000100000002C"
        notice.blacklisted = n % 80 == 40
        notice.reason = "late filings"
        try add("tax", "credit.Notice", "credit-\(n)", notice)
        tick(after: 1500)
    }

    /// The day is over: ticks into the next one (scheduled summaries), then customs'
    /// receipts and results for the summaries the hub will have sent.
    private mutating func nextDay() throws {
        let next = (time / 86_400_000_000 + 1) * 86_400_000_000 + 1_000
        steps.append(.tick(next))
        time = next
        summaries += 1
        let id = HubMessageId.summary(number: summaries).description
        var receipt = BizReceipt()
        receipt.messageType = "CEB702Message"
        receipt.copNo = id
        receipt.sumNo = "S\(summaries)"
        receipt.returnStatus = 2
        try add("customs", "ceb.Receipt", "rc-\(id)", receipt)
        var result = BizSummaryResult()
        result.sumNo = "S\(summaries)"
        result.entryID = "2929\(summaries)"
        try add("customs", "ceb.SummaryResult", "sres-\(summaries)", result)
    }

    private mutating func add(
        _ sender: String, _ type: String, _ id: String, _ message: some SwiftProtobuf.Message, correlation: String = "",
        recipients: [String] = []
    ) throws {
        time += 1000
        seq += 1
        steps.append(
            .input(
                FlowInput(
                    seq: seq, sender: sender, id: id, type: type, recipients: recipients, correlationId: correlation,
                    journaledAtUs: time, body: try message.serializedBytes())))
    }

    private mutating func tick(after ms: Int64) {
        time += ms * 1000
        steps.append(.tick(time))
        // Hub records and other types take seqs between the flow messages.
        seq += 2
    }

    /// A repeatable order of a declaration's documents.
    struct Rotation: RandomNumberGenerator {
        var state: UInt64
        init(_ n: Int) { state = UInt64(n) &* 0x9E37_79B9_7F4A_7C15 | 1 }
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }
}
