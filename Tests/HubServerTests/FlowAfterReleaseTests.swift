import FlowSamples
import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import Testing

/// Cancellations and returns after the release through a real hub with flows on: the
/// platform cancels a released inventory and returns goods of another; customs receives
/// each as routed and approves it with its receipt; the release notice's recipients get the
/// withdrawal notice, tax, forex and the paying bank the return notice; the platform hears
/// about each filing, also across a kill -9 of the hub with the cancellation waiting;
/// `swhub status` and `swhub trace` show both declarations' after-release history.
@Suite("Flows after the release: cancellations and returns", .serialized)
struct FlowAfterReleaseTests {
    /// Files declaration `n`, has customs accept (120, numbering it) and release (800) it;
    /// returns the inventory's forward and its invt_no.
    static func release(_ world: FlowWorld, _ n: Int) async throws -> (forward: Delivery, invtNo: String) {
        try await world.file(n)
        let forward = try #require(
            try await world.wait("customs", "ceb.Inventory") { $0.header.id == "fwd:platform:inventory-\(n):inventory" }.first)
        try await world.receipt(for: forward, status: 120)
        try await world.receipt(for: forward, status: 800)
        _ = try await world.waitFeedback("platform", subject: "inventory-\(n)") { $0.state == .accepted }
        let inventory = try BizInventory(serializedBytes: forward.body)
        return (forward, "29912026I" + String(inventory.orderNo.suffix(9)))
    }

    @Test func aCancellationAndAReturnAfterTheReleaseAreApprovedByCustomsAndNoticed() async throws {
        let world = try await FlowWorld()
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()

        // The cancellation of a released inventory waits for customs.
        let (_, cancelled) = try await Self.release(world, 21)
        var cancellation = BizCancellation()
        cancellation.invtNo = cancelled
        cancellation.copNo = "CXL-21"
        cancellation.reason = "买家取消订单"
        cancellation.ebcCode = SampleFilings.Filers().ebcCode
        try await world.submit("platform", "ceb.Cancellation", cancellation, id: "cxl-21")
        let pending = try await world.waitFeedback("platform", subject: "cxl-21") { _ in true }
        #expect(pending.state == .pending && pending.subjectType == "ceb.Cancellation" && pending.subjectKey == cancelled)
        let routed = try #require(try await world.wait("customs", "ceb.Cancellation").first)
        #expect(routed.header.sender == "platform" && routed.header.id == "cxl-21")

        // The hub is killed with the cancellation waiting for customs; restarted, its flows go on.
        await world.hub.kill9()
        world.close()
        try await world.hub.start()
        try await world.connectAll()

        // Customs approves (CEB624 399): withdrawal notices to every release notice recipient.
        var approval = BizReceipt()
        approval.messageType = "CEB624Message"
        approval.copNo = "CXL-21"
        approval.invtNo = cancelled
        approval.returnStatus = 399
        approval.returnTime = "20261121130000000"
        approval.returnInfo = "海关审结"
        try await world.submit("customs", "ceb.Receipt", approval, id: "rcpt-cxl-21", to: ["platform"], correlation: "cxl-21")
        for party in ["tax", "forex", "bank-boc", "post"] {
            let notice = try #require(try await world.wait(party, "flow.WithdrawalNotice").first)
            #expect(notice.header.id == "wdn:platform:cxl-21" && notice.header.sender == "hub")
            let body = try BizWithdrawalNotice(serializedBytes: notice.body)
            #expect(body.invtNo == cancelled && body.cancellationID == "cxl-21" && body.releaseNoticeID == "rel:platform:inventory-21")
        }
        let accepted = try await world.waitFeedback("platform", subject: "cxl-21") { $0.final }
        #expect(accepted.state == .accepted)
        let withdrawn = try await world.waitFeedback("platform", subject: "inventory-21") { $0.final }
        #expect(withdrawn.state == .withdrawn && withdrawn.reasons.contains { $0.contains("cxl-21") })

        // A return of one of two units of line 1 of another released inventory.
        let (_, returnedFrom) = try await Self.release(world, 22)
        var request = BizReturnRequest()
        request.invtNo = returnedFrom
        request.copNo = "RET-22"
        request.reason = "质量问题"
        request.ebcCode = SampleFilings.Filers().ebcCode
        request.originalIeFlag = "I"
        var line = BizReturnRequestItem()
        line.gnum = 1
        line.qty = "1"
        request.invtRefundList = [line]
        try await world.submit("platform", "ceb.ReturnRequest", request, id: "ret-22")
        _ = try await world.waitFeedback("platform", subject: "ret-22") { $0.state == .pending }
        // Two more units than remain: refused at once, with the rule.
        line.qty = "2"
        request.invtRefundList = [line]
        try await world.submit("platform", "ceb.ReturnRequest", request, id: "ret-22-excess")
        let excess = try await world.waitFeedback("platform", subject: "ret-22-excess") { $0.final }
        #expect(excess.state == .refused && excess.reasons.first?.hasPrefix("RETURN_EXCEEDS_RELEASED") == true)

        var returned = BizReceipt()
        returned.messageType = "CEB626Message"
        returned.copNo = "RET-22"
        returned.invtNo = returnedFrom
        returned.returnStatus = 399
        returned.returnTime = "20261121140000000"
        try await world.submit("customs", "ceb.Receipt", returned, id: "rcpt-ret-22", to: ["platform"], correlation: "ret-22")
        for party in ["tax", "forex", "bank-boc"] {
            let notice = try #require(try await world.wait(party, "flow.ReturnNotice").first)
            let body = try BizReturnNotice(serializedBytes: notice.body)
            #expect(body.items.first?.amount == "300.00" && body.items.first?.remainingQty == "1" && body.returnID == "ret-22")
        }
        let done = try await world.waitFeedback("platform", subject: "ret-22") { $0.final }
        #expect(done.state == .accepted)
        try await world.barrier("post")
        #expect(world.received("post", "flow.ReturnNotice").isEmpty, "the waybill's filer gets no return notice")

        // swhub status shows what happened after each release.
        for (inventory, expected) in [
            ("inventory-21", "withdrawn after the release: wdn:platform:cxl-21"), ("inventory-22", "returned: rtn:platform:ret-22"),
        ] {
            let status = try world.hub.startSwhub(
                ["status", "--config", world.hub.configPath, inventory], logName: "status-\(inventory).log")
            #expect(try await InteropTests.wait(for: status, within: .seconds(30)))
            let output = world.hub.log(named: "status-\(inventory).log")
            #expect(status.terminationStatus == 0 && output.contains(expected), "\(output)")
        }
        // swhub trace of the cancelled declaration takes in the cancellation, its receipt and the notice.
        let trace = try world.hub.startSwhub(["trace", "--config", world.hub.configPath, "inventory-21"], logName: "trace-21.log")
        #expect(try await InteropTests.wait(for: trace, within: .seconds(30)))
        let timeline = world.hub.log(named: "trace-21.log")
        for expected in [
            "ceb.Cancellation cxl-21 [related]", "ceb.Receipt rcpt-cxl-21", "flow.WithdrawalNotice wdn:platform:cxl-21 [withdrawal_notice]",
        ] {
            #expect(timeline.contains(expected), "\(timeline)")
        }
    }
}
