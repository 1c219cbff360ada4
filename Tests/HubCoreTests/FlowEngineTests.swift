import FlowSamples
import HubCore
import HubProtocol
import SwiftProtobuf
import Testing

/// The flow engine alone: its emissions are a function of the journal, whatever the
/// timers did in between, so a hub rebuilt from the journal emits nothing different;
/// and its admission rules.
@Suite("Flow engine: deterministic replay and admission")
struct FlowEngineTests {
    static let keys = [TestKeys.a, TestKeys.b, TestKeys.c, TestKeys.d, TestKeys.e, TestKeys.clientPublic, TestKeys.serverPublic]

    static func engine(deadlineMs: Int = 5000) throws -> FlowEngine {
        let (config, policy) = try setup(deadlineMs: deadlineMs)
        return FlowEngine(config: config, policy: policy)
    }

    static let parties: [(String, String)] = [
        ("customs", "[customs]"), ("tax", "[tax]"), ("forex", "[forex]"), ("post", "[post, logistics_company]"),
        ("bank", "[bank, payment_company]"), ("platform", "[platform, ecommerce_enterprise]"), ("agent", "[declaration_agent]"),
    ]

    /// The config and policy of ``engine(deadlineMs:)`` (by default; or of other parties, by id and roles).
    static func setup(deadlineMs: Int = 5000, parties: [(String, String)] = parties) throws -> (HubConfig, RedactionPolicy) {
        var yaml = "hub: {endpoint: \"tcp://127.0.0.1:1\", key_file: hub.key, journal: j.sqlite}\n"
        yaml += "types: []\nflows: {registration_deadline_ms: \(deadlineMs), query_timeout_ms: 1000}\nparties:\n"
        for (index, (id, roles)) in parties.enumerated() {
            yaml += "  - {id: \(id), public_key: \"\(keys[index])\", roles: \(roles)\(id == "bank" ? ", bank_codes: [BKCHCNBJ]" : "")}\n"
        }
        let config = try HubConfig.parse(yaml: yaml, baseDirectory: "/") { _ in "" }
        return (config, try RedactionPolicy(config: config, schema: HubConfig.schema()))
    }

    /// A journal: registrations of the filers, some results, declarations (one
    /// mismatched), receipts, a credit notice, a summary request; times 1 ms apart.
    static func journal() throws -> [FlowInput] {
        var inputs: [FlowInput] = []
        var time: Int64 = 1_763_700_000_000_000
        func add(
            _ sender: String, _ type: String, _ id: String, _ message: some SwiftProtobuf.Message, correlation: String = "",
            gapMs: Int64 = 1
        ) throws {
            time += gapMs * 1000
            inputs.append(
                FlowInput(
                    seq: UInt64(inputs.count + 1), sender: sender, id: id, type: type, recipients: [], correlationId: correlation,
                    journaledAtUs: time, body: try message.serializedBytes()))
        }
        for (party, code) in [("platform", "91330100MA27XXXX1A"), ("bank", "91110000100000001B"), ("post", "91110000100000002C")] {
            let registration = SampleFilings.registration(
                copNo: party, socialCreditCode: code, customsCode: "", name: party, roles: [.platform], bankCode: "BKCHCNBJ")
            try add(party, "reg.Registration", "reg-\(party)", registration)
            var result = BizRegistrationResult()
            result.socialCreditCode = code
            result.decision = .accepted
            try add("customs", "reg.Result", "res-\(party)", result, correlation: "share:\(party):reg-\(party)")
        }
        for n in 1...4 {
            var docs = SampleFilings.declaration(n, mismatch: n == 3 ? .consignee : nil)
            if n == 4 { docs.inventory.ieFlag = "E" }  // an export, for the summary
            try add("bank", "ceb.Payment", "pay-\(n)", docs.payment)
            try add("platform", "ceb.Inventory", "inv-\(n)", docs.inventory)
            try add("post", "ceb.Waybill", "way-\(n)", docs.waybill)
            try add("platform", "ceb.Order", "ord-\(n)", docs.order, gapMs: 700)
            if n == 4 {
                // The export's parcel leaves the country before its release: a summary candidate at release.
                let departure = SampleFilings.departure(
                    copNo: "DEP-4", logisticsCode: docs.waybill.logisticsCode, logisticsNos: [docs.waybill.logisticsNo])
                try add("post", "ceb.Departure", "dep-4", departure)
            }
            var receipt = BizReceipt()
            receipt.invtNo = "INV\(n)"
            for status: Int32 in [120, -301010, 800] {
                receipt.returnStatus = status
                try add("customs", "ceb.Receipt", "rc-\(n)-\(status)", receipt, correlation: "fwd:platform:inv-\(n):inventory", gapMs: 400)
            }
        }
        var notice = BizCreditNotice()
        notice.socialCreditCode = "91110000100000002C"
        notice.blacklisted = true
        try add("tax", "credit.Notice", "credit-1", notice, gapMs: 6000)
        try add("customs", "flow.SummaryRequest", "sum-1", BizSummaryRequest())
        return inputs
    }

    @Test func timersBetweenMessagesChangeNothingThatAReplayWouldNotEmit() throws {
        let journal = try Self.journal()
        var live = try Self.engine()
        var liveOut: [FlowEmission] = []
        for (index, input) in journal.enumerated() {
            liveOut += live.journaled(input)
            // The router's timer runs behind the journal: ticks between messages.
            if index % 3 == 0 { liveOut += live.tick(nowUs: input.journaledAtUs + 100) }
        }
        let end = journal.last!.journaledAtUs + 10_000_000
        liveOut += live.tick(nowUs: end)

        var rebuilt = try Self.engine()
        var replayOut = journal.flatMap { rebuilt.journaled($0) }
        replayOut += rebuilt.tick(nowUs: end)

        #expect(liveOut == replayOut)
        let ids = liveOut.map(\.id)
        #expect(Set(ids).count == ids.count, "every emission has its own id")
        // The flows did what the journal asked for.
        #expect(ids.contains("fwd:platform:inv-1:inventory"))
        #expect(!ids.contains("fwd:platform:inv-3:inventory"), "the mismatched declaration is not forwarded")
        #expect(ids.contains("rel:platform:inv-4"))
        #expect(ids.contains("credit:tax:credit-1"))
        #expect(ids.contains { $0.hasPrefix("sum:") })
        // The registrations expired at their deadline (only customs answered).
        let expired = liveOut.filter { $0.type == "flow.Feedback" }.compactMap { try? BizFeedback(serializedBytes: $0.body) }
            .filter { $0.subjectType == "reg.Registration" && $0.final }
        #expect(expired.count == 3 && expired.allSatisfy { $0.state == .expired })
    }

    @Test func admission() throws {
        var engine = try Self.engine()
        let order: [UInt8] = try SampleFilings.declaration(1).order.serializedBytes()
        #expect(engine.admit(type: "ceb.Order", from: "platform", recipients: [], body: order)?.code == .notRegistered)
        #expect(engine.admit(type: "demo.Anything", from: "platform", recipients: [], body: [0xFF]) == nil)
        for input in try Self.journal().prefix(2) { _ = engine.journaled(input) }
        #expect(engine.admit(type: "ceb.Order", from: "platform", recipients: [], body: order) == nil)
        #expect(engine.admit(type: "ceb.Order", from: "platform", recipients: [], body: [0x0A, 0x05])?.code == .malformedBody)
        #expect(engine.admit(type: "flow.Feedback", from: "customs", recipients: [], body: [])?.code == .notEntitled)
        #expect(engine.admit(type: "ceb.Receipt", from: "tax", recipients: [], body: [])?.code == .notEntitled)
        #expect(engine.admit(type: "reg.Result", from: "platform", recipients: [], body: [])?.code == .notEntitled)
        var query = BizQuery()
        query.subject = "ceb.Order"
        let asked: [UInt8] = try query.serializedBytes()
        #expect(engine.admit(type: "flow.Query", from: "customs", recipients: [], body: asked)?.code == .unknownRecipient)
        #expect(engine.admit(type: "flow.Query", from: "customs", recipients: ["post"], body: asked) == nil)
        #expect(engine.admit(type: "flow.Query", from: "tax", recipients: ["post"], body: asked)?.code == .notEntitled)
        #expect(engine.admit(type: "flow.SummaryRequest", from: "agent", recipients: [], body: []) == nil)
        #expect(engine.admit(type: "flow.SummaryRequest", from: "platform", recipients: [], body: [])?.code == .notEntitled)
    }

    @Test func releasedExportsAreSummarizedOnceTheirDayIsOver() throws {
        var engine = try Self.engine()
        let journal = try Self.journal()
        // Everything up to the export's release (declaration 4, released on its day).
        let release = try #require(journal.lastIndex { $0.id == "rc-4-800" })
        var out = journal[...release].flatMap { engine.journaled($0) }
        #expect(!out.contains { $0.type == "ceb.SummaryDeclaration" }, "not before the day is over")
        let releasedAt = journal[release].journaledAtUs
        out = engine.tick(nowUs: releasedAt + 60_000_000)
        #expect(out.isEmpty, "same UTC day")
        let nextDay = (releasedAt / 86_400_000_000 + 1) * 86_400_000_000 + 1
        out = engine.tick(nowUs: nextDay)
        let summaries = out.filter { $0.type == "ceb.SummaryDeclaration" }
        #expect(summaries.count == 1)
        let summary = try BizSummaryDeclaration(serializedBytes: try #require(summaries.first).body)
        #expect(summary.invtNo == ["INV4"] && summaries.first?.recipients == ["customs"] && summaries.first?.correlationId == "")
        #expect(summary.startTime == summary.endTime && summary.copNo == summaries.first?.id)
        // Once only, also when asked for later.
        #expect(engine.tick(nowUs: nextDay + 86_400_000_000).isEmpty)
        var request = FlowInput(
            seq: 999, sender: "customs", id: "req", type: "flow.SummaryRequest", recipients: [], correlationId: "",
            journaledAtUs: nextDay + 86_400_000_001, body: [])
        request.body = try BizSummaryRequest().serializedBytes()
        #expect(!engine.journaled(request).contains { $0.type == "ceb.SummaryDeclaration" })
    }

    @Test func queriesMatchCriteriaOnTextNumbersAndBooleans() throws {
        var engine = try Self.engine()
        let journal = try Self.journal()
        for input in journal { _ = engine.journaled(input) }
        func ask(_ subject: String, _ criteria: [String: String], from asker: String = "customs") throws -> BizAnswer {
            var query = BizQuery()
            query.subject = subject
            query.criteria = criteria
            let input = FlowInput(
                seq: 10_000, sender: asker, id: "q-\(criteria)", type: "flow.Query", recipients: [], correlationId: "",
                journaledAtUs: journal.last!.journaledAtUs + 1, body: try query.serializedBytes())
            let answer = try #require(engine.journaled(input).first { $0.type == "flow.Answer" })
            #expect(answer.recipients == [asker])
            return try BizAnswer(serializedBytes: answer.body)
        }
        #expect(try ask("flow.ReleaseNotice", ["return_status": "800"]).total == 3, "declarations 1, 2 and 4; 3 was mismatched")
        #expect(try ask("flow.ReleaseNotice", ["return_status": "800", "invt_no": "INV2"]).total == 1)
        #expect(try ask("flow.ReleaseNotice", ["invt_no": "INV3"]).total == 0)
        #expect(try ask("credit.Notice", ["blacklisted": "true"]).total == 1)
        #expect(try ask("credit.Notice", ["blacklisted": "false"]).total == 0)
        // The bank paid for every released order; tax got every notice; a stranger to them sees none.
        #expect(try ask("flow.ReleaseNotice", [:], from: "bank").total == 3)
        #expect(try ask("flow.ReleaseNotice", [:], from: "agent").total == 0)
    }

    @Test func receiptsAndResultsWithoutCorrelationAreMatchedByTheirKeys() throws {
        var engine = try Self.engine()
        var journal = try Self.journal()
        journal.removeAll { $0.type == "ceb.Receipt" }
        var time = journal.last!.journaledAtUs
        var out = journal.flatMap { engine.journaled($0) }
        func add(_ type: String, _ id: String, _ message: some SwiftProtobuf.Message) throws -> [FlowEmission] {
            time += 1000
            return engine.journaled(
                FlowInput(
                    seq: 0, sender: "customs", id: id, type: type, recipients: [], correlationId: "", journaledAtUs: time,
                    body: try message.serializedBytes()))
        }
        // An export inventory's receipt naming only its cop_no (as the official 604 sample does).
        var receipt = BizReceipt()
        receipt.messageType = "CEB604Message"
        receipt.copNo = SampleFilings.declaration(4).inventory.copNo
        receipt.invtNo = "INV4"
        receipt.returnStatus = 800
        out = try add("ceb.Receipt", "r-1", receipt)
        #expect(out.contains { $0.id == "rel:platform:inv-4" })
        // Summarize; customs' 702 names the summary by cop_no and gives its sum_no; the 792 only the sum_no.
        out = try add("flow.SummaryRequest", "s-1", BizSummaryRequest())
        let summary = try #require(out.first { $0.type == "ceb.SummaryDeclaration" })
        var summaryReceipt = BizReceipt()
        summaryReceipt.messageType = "CEB702Message"
        summaryReceipt.copNo = summary.id
        summaryReceipt.sumNo = "S2026112100000001"
        summaryReceipt.returnStatus = 2
        // (The receipt only tells the enterprise: feedback about its summary.)
        #expect(try add("ceb.Receipt", "r-2", summaryReceipt).allSatisfy { $0.type == "flow.Feedback" && $0.recipients == ["platform"] })
        var result = BizSummaryResult()
        result.sumNo = "S2026112100000001"
        result.entryID = "292920261000000001"
        let shared = try #require(try add("ceb.SummaryResult", "sr-1", result).first { $0.type == "ceb.SummaryResult" })
        #expect(shared.recipients == ["tax", "forex", "bank"], "the paying bank found through the sum_no")
    }
}
