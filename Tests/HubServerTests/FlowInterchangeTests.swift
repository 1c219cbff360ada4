import FlowSamples
import Foundation
import HubClient
import HubProtocol
import Testing

/// Flows beyond one declaration: a restart in the middle of a flow, credit notices and the
/// refusals they cause, queries answered by the hub or relayed with a timeout, and
/// summary declarations with their entryId shared.
@Suite("Single-window flows: restart, credit, interchange, summaries", .serialized)
struct FlowInterchangeTests {
    @Test func restartInTheMiddleOfADeclarationContinuesIt() async throws {
        let world = try await FlowWorld()
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()
        try await world.file(3, order: ["order", "payment", "waybill"])
        let before = world.feedbacks("platform", subject: "reg-platform").count

        await world.hub.kill9()
        world.close()
        try await world.hub.start()
        try await world.connectAll()
        // State was rebuilt: the filers are still registered, and the fourth document
        // completes the declaration filed before the crash.
        try await world.file(3, order: ["inventory"])
        let forwards = try await world.wait("customs", "ceb.Inventory") { $0.header.sender == "hub" }
        try await world.receipt(for: forwards[0], status: 800)
        _ = try await world.waitFeedback("platform", subject: "inventory-3") { $0.state == .accepted }
        try await world.wait("tax", "flow.ReleaseNotice")

        // Nothing the hub had sent before the crash was sent again with other content:
        // every feedback id is journaled once, numbered without gaps.
        let journal = try world.hub.openJournal()
        let registrationFeedback = try journal.records(sender: "hub", idPrefix: "fb:reg-platform:platform:")
        #expect(
            registrationFeedback.map(\.id) == (1...registrationFeedback.count).map { String(format: "fb:reg-platform:platform:%06d", $0) })
        #expect(registrationFeedback.count == before)
        let declarationFeedback = try journal.records(sender: "hub", idPrefix: "fb:inventory-3:platform:")
        let states = try declarationFeedback.map { try BizFeedback(serializedBytes: $0.body).departments.first?.status ?? "" }
        #expect(states == ["forwarded", "800"])
        // Whatever is delivered again after the crash (delivery is at least once) is the
        // journaled message, same id, same bytes.
        let journaled = Dictionary(uniqueKeysWithValues: registrationFeedback.map { ($0.id, $0.body) })
        for delivery in world.received("platform", "flow.Feedback") where delivery.header.correlationID == "reg-platform" {
            #expect(journaled[delivery.header.id] == delivery.body)
        }
    }

    @Test func blacklistSharesRefusesAndFlags() async throws {
        let world = try await FlowWorld(flows: ["registration_deadline_ms: 600000"])
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()
        // A registration still in progress for another enterprise: flagged when it is listed.
        try await world.connect("platform")
        var notice = BizCreditNotice()
        notice.socialCreditCode = FlowWorld.platformCode
        notice.department = "tax"
        notice.blacklisted = true
        notice.reason = "tax evasion"
        notice.documentNo = "杭税稽罚〔2026〕12 号"

        // Enterprises may not publish credit notices.
        let forged = try await world.refusal("platform", "credit.Notice", notice, id: "forged")
        #expect(forged?.hubCode == .notEntitled)

        try await world.submit("tax", "credit.Notice", notice, id: "credit-1")
        for department in ["customs", "forex", "post", "bank-boc", "bank-icbc"] {
            let shared = try #require(try await world.wait(department, "credit.Notice").first)
            #expect(shared.header.id == "credit:tax:credit-1")
        }
        #expect(world.received("tax", "credit.Notice").isEmpty)
        // The platform's registration was still in progress (tax, forex, ... silent): flagged.
        let flagged = try await world.waitFeedback("platform", subject: "reg-platform") { !$0.reasons.isEmpty }
        #expect(flagged.reasons.contains { $0.contains("flagged: blacklisted by tax") })

        let refused = try await world.refusal("platform", "ceb.Order", SampleFilings.declaration(4).order, id: "order-4")
        #expect(refused?.hubCode == .blacklisted)
        #expect(refused?.reason.contains("tax evasion") == true)
        let again = SampleFilings.registration(
            copNo: "R-9", socialCreditCode: FlowWorld.platformCode, customsCode: "", name: "x", roles: [.platform], bankCode: "")
        #expect(try await world.refusal("platform", "reg.Registration", again, id: "reg-again")?.hubCode == .blacklisted)
        // Other enterprises file as before.
        try await world.submit("post", "ceb.Waybill", SampleFilings.declaration(4).waybill, id: "waybill-4")

        // Tax lifts its listing: filings are accepted again.
        notice.blacklisted = false
        try await world.submit("tax", "credit.Notice", notice, id: "credit-2")
        try await world.wait("customs", "credit.Notice", count: 2)
        #expect(try await world.refusal("platform", "ceb.Order", SampleFilings.declaration(4).order, id: "order-4") == nil)
    }

    @Test func queriesAreAnsweredRefusedOrTimedOut() async throws {
        let world = try await FlowWorld(flows: ["query_timeout_ms: 1000"])
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()
        try await world.file(5)
        let forward = try #require(try await world.wait("customs", "ceb.Inventory") { $0.header.sender == "hub" }.first)
        try await world.receipt(for: forward, status: 800)
        try await world.wait("bank-boc", "flow.ReleaseNotice")
        let orderNo = SampleFilings.declaration(5).order.orderNo

        var query = BizQuery()
        query.subject = "flow.ReleaseNotice"
        query.criteria = ["order_no": orderNo]
        query.purpose = "settlement check"
        // An enterprise may not query.
        #expect(try await world.refusal("platform", "flow.Query", query, id: "q-0")?.hubCode == .notEntitled)
        // Post may not ask about orders.
        var forbidden = query
        forbidden.subject = "ceb.Order"
        #expect(try await world.refusal("post", "flow.Query", forbidden, id: "q-1")?.hubCode == .notEntitled)

        // The paying bank asks whether order X was released: the hub answers from its state.
        try await world.submit("bank-boc", "flow.Query", query, id: "q-2")
        let answered = try #require(try await world.wait("bank-boc", "flow.Answer").first)
        #expect(answered.header.correlationID == "q-2")
        let answer = try BizAnswer(serializedBytes: answered.body)
        #expect(answer.decision == .accepted && answer.total == 1)
        #expect(try BizReleaseNotice(serializedBytes: answer.records[0].body).orderNo == orderNo)
        // Another bank was not a party to it: nothing matched for it.
        try await world.submit("bank-icbc", "flow.Query", query, id: "q-3")
        let other = try BizAnswer(serializedBytes: try #require(try await world.wait("bank-icbc", "flow.Answer").first).body)
        #expect(other.total == 0 && other.records.isEmpty)

        // Tax asks forex for settlement records; forex stays silent: 504 after the timeout.
        var settlement = BizQuery()
        settlement.subject = "flow.ReleaseNotice"
        settlement.criteria = ["entry_id": "292920261000000001"]
        try await world.submit("tax", "flow.Query", settlement, id: "q-4", to: ["forex"])
        try await world.wait("forex", "flow.Query")
        let timedOut = try #require(try await world.wait("tax", "flow.Answer", within: .seconds(10)).first)
        let refusal = try BizAnswer(serializedBytes: timedOut.body)
        #expect(refusal.decision == .refused && refusal.code == 504)
        #expect(refusal.reason.contains("forex"))

        // Relayed and answered in time: the department's answer reaches the asker, no timeout.
        try await world.submit("tax", "flow.Query", settlement, id: "q-5", to: ["forex"])
        try await world.wait("forex", "flow.Query", count: 2)
        var reply = BizAnswer()
        reply.decision = .accepted
        try await world.submit("forex", "flow.Answer", reply, id: "a-5", to: ["tax"], correlation: "q-5")
        try await world.wait("tax", "flow.Answer", count: 2)
        // No 504 follows for q-5: a later relayed query left unanswered times out after the
        // same timeout, so once its 504 is here q-5's deadline has passed too; the barrier
        // then shows nothing else for tax is on its way.
        try await world.submit("tax", "flow.Query", settlement, id: "q-6", to: ["forex"])
        try await world.wait("tax", "flow.Answer", within: .seconds(10)) { $0.header.correlationID == "q-6" }
        try await world.barrier("tax")
        #expect(world.received("tax", "flow.Answer").filter { $0.header.correlationID == "q-5" }.count == 1)
    }

    @Test func summaryOnRequestAndEntryIdShared() async throws {
        let world = try await FlowWorld()
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()
        // Two export declarations released.
        for n in [11, 12] {
            var docs = SampleFilings.declaration(n)
            docs.inventory.ieFlag = "E"
            try await world.submit("platform", "ceb.Order", docs.order, id: "order-\(n)")
            try await world.submit("bank-boc", "ceb.Payment", docs.payment, id: "payment-\(n)")
            try await world.submit("post", "ceb.Waybill", docs.waybill, id: "waybill-\(n)")
            try await world.submit("platform", "ceb.Inventory", docs.inventory, id: "inventory-\(n)")
        }
        let forwards = try await world.wait("customs", "ceb.Inventory", count: 2) { $0.header.sender == "hub" }
        for forward in forwards { try await world.receipt(for: forward, status: 800) }
        try await world.wait("tax", "flow.ReleaseNotice", count: 2)
        // Their parcels left the country (离境): only now summary candidates.
        try await world.depart([11, 12], id: "departure-11-12")

        // Only customs, agents and the enterprise itself may ask for a summary.
        var request = BizSummaryRequest()
        #expect(try await world.refusal("bank-boc", "flow.SummaryRequest", request, id: "s-0")?.hubCode == .notEntitled)
        request.ebcCode = "3301960001"
        try await world.submit("customs", "flow.SummaryRequest", request, id: "s-1")
        let summaryDelivery = try #require(try await world.wait("customs", "ceb.SummaryDeclaration").first)
        let summary = try BizSummaryDeclaration(serializedBytes: summaryDelivery.body)
        #expect(summary.invtNo.count == 2 && summary.ebcCode == "3301960001")
        #expect(summaryDelivery.header.id == "sum:000001" && summaryDelivery.header.correlationID == "s-1")

        var result = BizSummaryResult()
        result.sumNo = "SUM0001"
        result.entryID = "292920261000000001"
        result.ebcCode = summary.ebcCode
        result.summaryResultList = summary.invtNo.enumerated().map { index, number in
            var item = BizSummaryResultItem()
            item.invtNo = number
            item.gseqno = Int32(index + 1)
            return item
        }
        try await world.submit("customs", "ceb.SummaryResult", result, id: "sr-1", correlation: summaryDelivery.header.id)
        for party in ["tax", "forex", "bank-boc"] {
            let shared = try #require(try await world.wait(party, "ceb.SummaryResult").first)
            #expect(try BizSummaryResult(serializedBytes: shared.body).entryID == "292920261000000001")
        }
        #expect(world.received("bank-icbc", "ceb.SummaryResult").isEmpty)

        // The bank asks about an order: release notice and the summary result with its entryId.
        var query = BizQuery()
        query.subject = "flow.ReleaseNotice"
        query.criteria = ["order_no": SampleFilings.declaration(11).order.orderNo]
        try await world.submit("bank-boc", "flow.Query", query, id: "q-entry")
        let answer = try BizAnswer(serializedBytes: try #require(try await world.wait("bank-boc", "flow.Answer").first).body)
        #expect(answer.records.map(\.type) == ["flow.ReleaseNotice", "ceb.SummaryResult"])
        #expect(try BizSummaryResult(serializedBytes: answer.records[1].body).entryID == "292920261000000001")

        // Each inventory is summarized once: a second request finds nothing new.
        try await world.submit("customs", "flow.SummaryRequest", request, id: "s-2")
        try await world.barrier("customs")
        #expect(world.received("customs", "ceb.SummaryDeclaration").count == 1)
    }
}
