import Adapters
import DepartmentFormats
import Foundation
import HubProtocol
import Testing

/// Queries relayed to a department, answered from what it kept.
@Suite("Simulated departments: queries")
struct DepartmentQueryTests {
    typealias Tests = SimulatedDepartmentTests

    static func notice(invtNo: String, ebcCode: String, status: Int32, gcode: String) throws -> [UInt8] {
        var notice = BizReleaseNotice()
        notice.invtNo = invtNo
        notice.ebcCode = ebcCode
        notice.returnStatus = status
        notice.totalPrice = "100.5"
        var item = BizInventoryItem()
        item.gcode = gcode
        notice.inventoryList = [item]
        return try notice.serializedBytes()
    }

    /// Tax with three release notices and a credit notice.
    static func tax() throws -> SimulatedDepartment {
        var tax = Tests.department(.tax)
        let notices = [
            try notice(invtNo: "N1", ebcCode: "EBC-A", status: 800, gcode: "0902109000"),
            try notice(invtNo: "N2", ebcCode: "EBC-B", status: 800, gcode: "6109100010"),
            try notice(invtNo: "N3", ebcCode: "EBC-A", status: 899, gcode: "6109100010"),
        ]
        for (index, body) in notices.enumerated() {
            _ = tax.handle(
                type: "flow.ReleaseNotice", header: Tests.header("rel:e:\(index)", type: "flow.ReleaseNotice"), body: body, nowUs: Tests.now
            )
        }
        var credit = BizCreditNotice()
        credit.socialCreditCode = Tests.scc
        credit.blacklisted = true
        _ = tax.handle(
            type: "credit.Notice", header: Tests.header("credit:customs:x", type: "credit.Notice"), body: try credit.serializedBytes(),
            nowUs: Tests.now)
        return tax
    }

    static func ask(
        _ department: inout SimulatedDepartment, _ subject: String, _ criteria: [String: String], fields: [String] = [],
        limit: UInt32 = 0, from asker: String = "forex", id: String = "q-1"
    ) throws -> (SimulatedDepartment.Reply, BizAnswer) {
        var query = BizQuery()
        query.subject = subject
        query.criteria = criteria
        query.fields = fields
        query.limit = limit
        let replies = department.handle(
            type: "flow.Query", header: Tests.header(id, type: "flow.Query", sender: asker), body: try query.serializedBytes(),
            nowUs: Tests.now)
        let reply = try #require(replies.first)
        #expect(replies.count == 1)
        return (reply, try BizAnswer(serializedBytes: reply.body))
    }

    static func invtNos(_ answer: BizAnswer) throws -> [String] {
        try answer.records.map { try BizReleaseNotice(serializedBytes: $0.body).invtNo }
    }

    @Test func anAnswerGoesToTheAskerWithTheMatchingRecords() throws {
        var tax = try Self.tax()
        let (reply, answer) = try Self.ask(&tax, "flow.ReleaseNotice", ["ebc_code": "EBC-A"])
        #expect(reply.type == "flow.Answer")
        #expect(reply.recipients == ["forex"])
        #expect(reply.correlationId == "q-1")
        #expect(reply.id == "answer:forex:q-1")
        #expect(answer.decision == .accepted)
        #expect(answer.total == 2)
        #expect(answer.records.allSatisfy { $0.type == "flow.ReleaseNotice" })
        #expect(try Self.invtNos(answer) == ["N1", "N3"])
        #expect(tax.stats.queries == 1)
    }

    @Test func everyCriterionMustMatchNumbersNestedFieldsAndDefaultsIncluded() throws {
        var tax = try Self.tax()
        #expect(try Self.invtNos(Self.ask(&tax, "flow.ReleaseNotice", ["ebc_code": "EBC-A", "return_status": "899"]).1) == ["N3"])
        #expect(try Self.invtNos(Self.ask(&tax, "flow.ReleaseNotice", ["inventory_list.gcode": "6109100010"]).1) == ["N2", "N3"])
        #expect(try Self.invtNos(Self.ask(&tax, "flow.ReleaseNotice", ["total_price": "100.5", "pay_code": ""]).1) == ["N1", "N2", "N3"])
        #expect(try Self.ask(&tax, "flow.ReleaseNotice", ["ebc_code": "EBC-C"]).1.total == 0)
        #expect(try Self.ask(&tax, "flow.ReleaseNotice", ["no_such_field": "x"]).1.total == 0)
        #expect(try Self.ask(&tax, "flow.ReleaseNotice", ["ebcCode": "EBC-A"]).1.total == 0, "proto names, not JSON names")
        let credit = try Self.ask(&tax, "credit.Notice", ["blacklisted": "true", "social_credit_code": Tests.scc]).1
        #expect(credit.total == 1 && credit.records.first?.type == "credit.Notice")
        #expect(try Self.ask(&tax, "flow.ReleaseNotice", [:]).1.total == 3)
    }

    @Test func aLimitSendsTheLatestAndTotalCountsAll() throws {
        var tax = try Self.tax()
        let answer = try Self.ask(&tax, "flow.ReleaseNotice", [:], limit: 2).1
        #expect(answer.total == 3)
        #expect(try Self.invtNos(answer) == ["N2", "N3"])
    }

    @Test func namedFieldsAloneAreSent() throws {
        var tax = try Self.tax()
        let answer = try Self.ask(&tax, "flow.ReleaseNotice", ["invt_no": "N1"], fields: ["invt_no", "return_status"]).1
        let notice = try BizReleaseNotice(serializedBytes: try #require(answer.records.first).body)
        #expect(notice.invtNo == "N1" && notice.returnStatus == 800)
        #expect(notice.ebcCode.isEmpty && notice.inventoryList.isEmpty)
    }

    @Test func unknownSubjectsAndMalformedQueries() throws {
        var tax = try Self.tax()
        let unknown = try Self.ask(&tax, "demo.Note", [:]).1
        #expect(unknown.decision == .accepted && unknown.total == 0 && unknown.reason.contains("demo.Note"))
        let replies = tax.handle(
            type: "flow.Query", header: Tests.header("q-bad", type: "flow.Query", sender: "bank"), body: [0xff, 0xff], nowUs: Tests.now)
        let answer = try BizAnswer(serializedBytes: try #require(replies.first).body)
        #expect(answer.decision == .refused && answer.code == 412)
        #expect(replies.first?.recipients == ["bank"])
    }

    @Test func aQueryFromTheHubItselfHasNoExplicitRecipient() throws {
        var tax = try Self.tax()
        let (reply, answer) = try Self.ask(&tax, "flow.ReleaseNotice", [:], from: "hub", id: "q-9")
        #expect(reply.recipients.isEmpty)
        #expect(reply.id == "answer:q-9")
        #expect(answer.total == 3)
    }

    @Test func customsAnswersAboutInventoriesWithTheNumbersItAssigned() throws {
        var customs = Tests.department(.customs)
        let replies = customs.handle(
            type: "ceb.Inventory", header: Tests.header("fwd:e:inv-1:inventory", type: "ceb.Inventory"),
            body: try Tests.inventory(), nowUs: Tests.now)
        let invtNo = try Tests.receipts(replies)[0].invtNo
        let answer = try Self.ask(&customs, "ceb.Inventory", ["invt_no": invtNo], from: "tax").1
        #expect(answer.total == 1)
        let inventory = try BizInventory(serializedBytes: try #require(answer.records.first).body)
        #expect(inventory.orderNo == "order-1" && inventory.invtNo == invtNo && !inventory.preNo.isEmpty)
    }

    @Test func keptRecordsAreBounded() throws {
        var records = KeptRecords(capacity: 3)
        for index in 0..<5 { records.append(.init(type: "t\(index)", body: [])) }
        #expect(records.count == 3)
        #expect(records.records.map(\.type) == ["t2", "t3", "t4"])
        var tax = SimulatedDepartment(kind: .tax, party: "tax", options: .init(retention: 2))
        _ = try Self.ask(&tax, "flow.ReleaseNotice", [:])
        for index in 0..<3 {
            _ = tax.handle(
                type: "flow.ReleaseNotice", header: Tests.header("rel:\(index)", type: "flow.ReleaseNotice"),
                body: try Self.notice(invtNo: "N\(index)", ebcCode: "E", status: 800, gcode: ""), nowUs: Tests.now)
        }
        #expect(try Self.invtNos(Self.ask(&tax, "flow.ReleaseNotice", [:]).1) == ["N1", "N2"])
    }
}

/// The pure helpers under the departments.
@Suite("Adapter helpers: stable hash, CEB times, acknowledgement window")
struct AdapterHelperTests {
    @Test func theHashIsStableAcrossProcesses() {
        // Pinned: a change here changes every simulated decision and number.
        #expect(
            StableHash(seed: 1, "refuse", "customs", "fwd:e:1:inventory").value
                == StableHash(seed: 1, parts: ["refuse", "customs", "fwd:e:1:inventory"]).value)
        #expect(StableHash(seed: 0, "").hex.count == 16)
        #expect(StableHash(seed: 1, "ab", "c") != StableHash(seed: 1, "a", "bc"))
        #expect(StableHash(seed: 1, "x") != StableHash(seed: 2, "x"))
        #expect(StableHash(seed: 1, "x").digits(9).count == 9)
        #expect(StableHash(seed: 1, "pinned").value == Self.pinned)
        let fractions = (0..<1000).map { StableHash(seed: 3, "\($0)").fraction }
        #expect(fractions.allSatisfy { (0..<1).contains($0) })
        #expect(abs(fractions.reduce(0, +) / 1000 - 0.5) < 0.05)
    }

    /// 64-bit FNV-1a of seed 1 (8 bytes, little-endian), "pinned" and a 0 byte, then SplitMix64's finaliser.
    static let pinned: UInt64 = 0x2d90_c40c_1546_cf11

    @Test func cebTimesAreUTC() {
        #expect(CEBTime.returnTime(1_525_678_201_001_000) == "20180507073001001")
        #expect(CEBTime.appTime(1_525_678_201_001_000) == "20180507073001")
        #expect(CEBTime.date(951_782_400_000_000) == "20000229")
        #expect(CEBTime.returnTime(0) == "19700101000000000")
        #expect(CEBTime.returnTime(-1000) == "19691231235959999")
        #expect(CEBTime.year(1_525_678_201_001_000) == "2018")
    }

    @Test func theAcknowledgementWaitsForEarlierDeliveries() {
        var window = AckWindow()
        for seq: UInt64 in [3, 5, 9, 12] { window.started(seq) }
        #expect(window.finished(5) == nil, "3 is still busy")
        #expect(window.finished(9) == nil)
        #expect(window.finished(3) == 9)
        #expect(window.outstanding == 1)
        #expect(window.finished(42) == nil, "never started")
        #expect(window.finished(12) == 12)
        #expect(window.acknowledgeable == 12 && window.outstanding == 0)
        for seq in UInt64(100)..<UInt64(3100) {
            window.started(seq)
            _ = window.finished(seq)
        }
        #expect(window.acknowledgeable == 3099 && window.outstanding == 0)
    }
}
