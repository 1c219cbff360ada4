import FlowSamples
import Foundation
import HubClient
import HubProtocol
import Testing

/// The single window's flows end to end, through a real hub with flows on: registration
/// once, 三单对碰 and customs receipts, release notices redacted per party, credit and the
/// refusals that follow from it, and a restart in the middle of a flow.
@Suite("Single-window flows", .serialized)
struct FlowTests {
    @Test func registrationIsSharedOnceAndFeedbackIsUnified() async throws {
        let world = try await FlowWorld()
        defer { world.close() }
        try await world.connectAll()
        let registration = SampleFilings.registration(
            copNo: "R-1", socialCreditCode: FlowWorld.platformCode, customsCode: "", name: "杭州平台",
            roles: [.platform, .ecommerceEnterprise], bankCode: FlowWorld.bankCode)

        // Before registering, a filing is refused.
        let early = try await world.refusal("platform", "ceb.Order", SampleFilings.declaration(1).order, id: "early")
        #expect(early?.hubCode == .notRegistered)

        try await world.submit("platform", "reg.Registration", registration, id: "reg-1")
        let departments = ["customs", "tax", "forex", "post", "bank-boc"]
        for department in departments {
            let share = try #require(try await world.wait(department, "reg.Registration").first)
            #expect(share.header.sender == "hub")
            #expect(share.header.correlationID == "reg-1")
            #expect(share.header.id == "share:platform:reg-1")
        }
        // Only the bank named by the registration's accounts gets it; the bank sees no contact telephone.
        #expect(world.received("bank-icbc", "reg.Registration").isEmpty)
        let toBank = try BizRegistration(serializedBytes: world.received("bank-boc", "reg.Registration")[0].body)
        #expect(toBank.contact.telephone.isEmpty && toBank.contact.name == "王五")
        #expect(
            try BizRegistration(serializedBytes: world.received("tax", "reg.Registration")[0].body).contact.telephone == "0571-88000000")

        let first = try await world.waitFeedback("platform", subject: "reg-1") { _ in true }
        #expect(first.state == .pending && first.pendingDepartments == departments)

        // Still pending with customs: filings refused.
        let pending = try await world.refusal("platform", "ceb.Order", SampleFilings.declaration(1).order, id: "pending")
        #expect(pending?.hubCode == .notRegistered)
        #expect(pending?.reason.contains("pending with customs") == true)

        for department in departments {
            let share = world.received(department, "reg.Registration")[0]
            try await world.answer(
                department, share: share, accept: department != "forex", reason: department == "forex" ? "no foreign-exchange licence" : "")
        }
        let final = try await world.waitFeedback("platform", subject: "reg-1") { $0.final }
        #expect(final.state == .partiallyAccepted)
        #expect(final.pendingDepartments.isEmpty)
        #expect(final.reasons == ["forex: no foreign-exchange licence"])
        // One feedback per change: the first, one per answer, nothing after the final one.
        try await world.barrier("platform")
        #expect(world.feedbacks("platform", subject: "reg-1").count == 1 + departments.count)

        // Customs accepted: filings now enter the journal.
        let receipt = try await world.submit("platform", "ceb.Order", SampleFilings.declaration(1).order, id: "order-1")
        #expect(receipt.seq > 0)
    }

    @Test func silentDepartmentMakesTheRegistrationExpire() async throws {
        // Long enough for three answers on a loaded machine; the expiry is waited for, not timed.
        let world = try await FlowWorld(flows: ["registration_deadline_ms: 6000"])
        defer { world.close() }
        try await world.connectAll()
        let registration = SampleFilings.registration(
            copNo: "R-2", socialCreditCode: FlowWorld.platformCode, customsCode: "3301960001", name: "杭州平台",
            roles: [.platform], bankCode: "NOBANK")
        try await world.submit("platform", "reg.Registration", registration, id: "reg-2")
        for department in ["customs", "tax", "post"] {
            let share = try #require(try await world.wait(department, "reg.Registration").first)
            try await world.answer(department, share: share)
        }
        let final = try await world.waitFeedback("platform", subject: "reg-2", within: .seconds(30)) { $0.final }
        #expect(final.state == .expired)
        #expect(final.pendingDepartments == ["forex"])
    }

    @Test(arguments: [
        ["order", "payment", "waybill", "inventory"], ["inventory", "waybill", "payment", "order"],
        ["payment", "inventory", "order", "waybill"],
    ])
    func declarationIsMatchedForwardedReleasedAndNoticed(order: [String]) async throws {
        let world = try await FlowWorld()
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()
        try await world.file(7, order: order)

        let forwards = try await world.wait("customs", "ceb.Inventory") { $0.header.sender == "hub" }
        #expect(forwards[0].header.id == "fwd:platform:inventory-7:inventory")
        for type in ["ceb.Order", "ceb.Payment", "ceb.Waybill"] {
            try await world.wait("customs", type) { $0.header.sender == "hub" }
        }
        // Customs sees the buyer's ID number; nobody else ever receives it.
        let buyerId = Array(SampleFilings.declaration(7).order.buyerIDNumber.utf8)
        #expect(world.received("customs", "ceb.Order")[0].body.contains(buyerId))

        // (An inventory filed before its documents waits first: feedback WAITING.)
        let forwarded = try await world.waitFeedback("platform", subject: "inventory-7") { $0.state != .waiting }
        #expect(forwarded.state == .pending && forwarded.departments.first?.status == "forwarded")
        #expect(forwarded.subjectKey == SampleFilings.declaration(7).order.orderNo)

        try await world.receipt(for: forwards[0], status: 120)
        try await world.receipt(for: forwards[0], status: 800)
        let released = try await world.waitFeedback("platform", subject: "inventory-7") { $0.state == .accepted }
        #expect(released.departments.first?.status == "800")
        #expect(!released.final)
        // Every filer got the same feedback.
        for filer in ["bank-boc", "post"] {
            _ = try await world.waitFeedback(filer, subject: "inventory-7") { $0.state == .accepted }
        }
        // Release notices: tax, forex, the paying bank, the waybill's filer; each with its fields.
        for party in ["tax", "forex", "bank-boc", "post"] {
            let notice = try #require(try await world.wait(party, "flow.ReleaseNotice").first)
            #expect(!notice.body.contains(buyerId))
            let decoded = try BizReleaseNotice(serializedBytes: notice.body)
            #expect(decoded.returnStatus == 800 && decoded.orderNo == SampleFilings.declaration(7).order.orderNo)
            #expect(decoded.payTransactionID.isEmpty == (party == "post"), "post sees the consignee side, not the payment")
        }
        #expect(world.received("bank-icbc", "flow.ReleaseNotice").isEmpty)
        // A late 399 changes nothing; the closing 899 is final, without a second notice.
        try await world.receipt(for: forwards[0], status: 399)
        try await world.receipt(for: forwards[0], status: 899)
        let closed = try await world.waitFeedback("platform", subject: "inventory-7") { $0.final }
        #expect(closed.departments.first?.status == "899")
        #expect(
            world.feedbacks("platform", subject: "inventory-7").filter { $0.state != .waiting }.map { $0.departments.first?.status ?? "" }
                == [
                    "forwarded", "120", "800", "899",
                ])
        #expect(world.received("tax", "flow.ReleaseNotice").count == 1)
    }

    @Test(arguments: SampleFilings.Mismatch.allCases)
    func mismatchIsReportedWithTheRuleAndNotForwarded(mismatch: SampleFilings.Mismatch) async throws {
        let world = try await FlowWorld()
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()
        try await world.file(9, mismatch: mismatch)
        let feedback = try await world.waitFeedback("platform", subject: "inventory-9") { $0.final }
        #expect(feedback.state == .refused)
        let rule =
            switch mismatch {
            case .paymentAmount: "PAYMENT_AMOUNT"
            case .consignee: "CONSIGNEE"
            case .inventoryItems: "INVENTORY_ITEMS"
            }
        #expect(feedback.reasons.contains { $0.hasPrefix(rule + " [") }, "\(feedback.reasons)")
        _ = try await world.waitFeedback("post", subject: "inventory-9") { $0.final }
        try await world.barrier("customs")
        #expect(world.received("customs", "ceb.Inventory").isEmpty)
    }
}
