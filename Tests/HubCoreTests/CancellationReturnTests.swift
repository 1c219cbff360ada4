import FlowSamples
import HubConfigKit
import HubCore
import HubProtocol
import SwiftProtobuf
import Testing

/// Cancellations (撤销申请单, CEB605/623) and returns (退货申请单, CEB213/625) as events in,
/// actions out: withdrawn at once before the release, with customs' approval after it
/// (withdrawal notices to those who got the release notice), returns reversing released
/// quantities and amounts (return notices), and the filer's feedback about each.
@Suite("Flows: cancellations and returns")
struct CancellationReturnTests {
    typealias World = DeclarationFilingsTests.World
    typealias Declaration = SampleFilings.Declaration

    static func feedback(_ emissions: [FlowEmission], about type: MessageType) -> [BizFeedback] {
        DeclarationFilingsTests.feedback(emissions).filter { $0.subjectType == type.rawValue }
    }

    static func receipt(_ messageType: String, _ status: CustomsStatus, _ fill: (inout BizReceipt) -> Void) -> BizReceipt {
        DeclarationFilingsTests.receipt(messageType, status, fill)
    }

    /// Declaration `n` (an export when `export`) filed, accepted by customs with invt_no
    /// `INVT<n>` and, when `release`, released (800) and, when `close`, closed (899).
    static func released(_ world: World, _ n: Int, export: Bool = false, release: Bool = true, close: Bool = false) throws
        -> (docs: Declaration, invtNo: String, emitted: [FlowEmission])
    {
        var docs = SampleFilings.declaration(n)
        if export { docs.inventory.ieFlag = "E" }
        try world.declare(docs, n)
        let invtNo = "INVT2026\(n)"
        let root = export ? "CEB604Message" : "CEB622Message"
        var emitted = try world.send(
            "customs", .receipt, "r-120-\(n)",
            receipt(root, .accepted) {
                $0.copNo = docs.inventory.copNo
                $0.invtNo = invtNo
            })
        if release {
            emitted += try world.send("customs", .receipt, "r-800-\(n)", receipt(root, .released) { $0.copNo = docs.inventory.copNo })
        }
        if close {
            emitted += try world.send("customs", .receipt, "r-899-\(n)", receipt(root, .closed) { $0.copNo = docs.inventory.copNo })
        }
        return (docs, invtNo, emitted)
    }

    static func cancellation(_ invtNo: String, export: Bool = false) -> BizCancellation {
        var cancellation = BizCancellation()
        cancellation.appType = .new
        cancellation.invtNo = invtNo
        cancellation.copNo = "cxl-\(invtNo)"
        cancellation.reason = "买家取消订单"
        cancellation.ebcCode = SampleFilings.Filers().ebcCode
        cancellation.ieFlag = export ? "E" : "I"
        return cancellation
    }

    static func returnRequest(_ invtNo: String, _ lines: [(Int32, String)], export: Bool = false) -> BizReturnRequest {
        var request = BizReturnRequest()
        request.appType = .new
        request.invtNo = invtNo
        request.coElNo = "ret-\(invtNo)"
        request.reason = "质量问题"
        request.ebcCode = SampleFilings.Filers().ebcCode
        request.originalIeFlag = export ? "E" : "I"
        request.invtRefundList = lines.map { gnum, qty in
            var item = BizReturnRequestItem()
            item.gnum = gnum
            item.qty = qty
            item.unit = "007"
            return item
        }
        return request
    }

    @Test func aCancellationBeforeTheReleaseWithdrawsTheDeclarationAtOnce() throws {
        let world = try World()
        let (_, invtNo, _) = try Self.released(world, 1, release: false)
        let out = try world.send("platform", .cancellation, "cxl-1", Self.cancellation(invtNo))
        let declaration = Self.feedback(out, about: .inventory)
        #expect(declaration.count == 1 && declaration.first?.state == .withdrawn && declaration.first?.final == true)
        #expect(declaration.first?.reasons.contains { $0.contains("cxl-1") && $0.contains("买家取消订单") } == true)
        let own = Self.feedback(out, about: .cancellation)
        #expect(own.count == 1 && own.first?.state == .pending && own.first?.final == false && own.first?.subjectKey == invtNo)
        #expect(!out.contains { $0.type == MessageType.withdrawalNotice.rawValue }, "nothing was released: no notice")

        // Customs approves: the cancellation is ACCEPTED; a late release changes nothing.
        let approved = try world.send(
            "customs", .receipt, "r-624", Self.receipt("CEB624Message", .approved) { $0.invtNo = invtNo }, correlation: "cxl-1")
        let accepted = Self.feedback(approved, about: .cancellation)
        #expect(accepted.first?.state == .accepted && accepted.first?.final == true)
        #expect(approved.first?.recipients == ["platform"])
        let late = try world.send(
            "customs", .receipt, "r-800-late",
            Self.receipt("CEB622Message", .released) { $0.copNo = SampleFilings.declaration(1).inventory.copNo })
        #expect(!late.contains { $0.type == MessageType.releaseNotice.rawValue })

        // A second cancellation hears the inventory is withdrawn already.
        let again = Self.feedback(try world.send("platform", .cancellation, "cxl-1b", Self.cancellation(invtNo)), about: .cancellation)
        #expect(again.first?.state == .refused && again.first?.reasons.first?.hasPrefix("ALREADY_WITHDRAWN") == true)
    }

    @Test func aCancellationAfterTheReleaseNeedsCustomsApprovalThenWithdrawalNoticesGoOut() throws {
        let world = try World()
        let (docs, invtNo, emitted) = try Self.released(world, 2, export: true)
        let release = try #require(emitted.first { $0.type == MessageType.releaseNotice.rawValue })
        #expect(release.recipients == ["tax", "forex", "bank", "post"])

        let filed = try world.send("platform", .cancellation, "cxl-2", Self.cancellation(invtNo, export: true))
        #expect(Self.feedback(filed, about: .inventory).isEmpty, "after the release nothing happens before customs approves")
        #expect(Self.feedback(filed, about: .cancellation).first?.state == .pending)

        // Customs' XML receipt carries no hub id: it joins by invt_no (and cop_no).
        let approved = try world.send(
            "customs", .receipt, "r-606",
            Self.receipt("CEB606Message", .approved) {
                $0.invtNo = invtNo
                $0.copNo = "cxl-\(invtNo)"
            })
        let notice = try #require(approved.first { $0.type == MessageType.withdrawalNotice.rawValue })
        #expect(notice.recipients == release.recipients, "every party that got the release notice")
        #expect(notice.id == "wdn:platform:cxl-2" && notice.correlationId == "cxl-2")
        let body = try BizWithdrawalNotice(serializedBytes: notice.body)
        #expect(body.invtNo == invtNo && body.orderNo == docs.inventory.orderNo && body.cancellationID == "cxl-2")
        #expect(body.releaseNoticeID == release.id && body.totalPrice == "750.50" && body.refundBasisUndone && !body.summarized)
        #expect(body.returnStatus == 399 && body.reason == "买家取消订单")
        // Still open between 800 and 899: the declaration ends WITHDRAWN.
        let declaration = Self.feedback(approved, about: .inventory)
        #expect(declaration.first?.state == .withdrawn && declaration.first?.final == true)
        #expect(Self.feedback(approved, about: .cancellation).first?.state == .accepted)

        // It is no summary candidate any more.
        var request = BizSummaryRequest()
        request.ebcCode = docs.inventory.ebcCode
        let summaries = try world.send("customs", .summaryRequest, "sum-req", request)
        #expect(!summaries.contains { $0.type == MessageType.summaryDeclaration.rawValue })
        #expect(world.engine.releasedInventory(invtNo: invtNo)?.withdrawn?.contains("cxl-2") == true)
    }

    @Test func aCancellationCustomsRefusesLeavesTheReleaseStanding() throws {
        let world = try World()
        let (_, invtNo, _) = try Self.released(world, 3, close: true)
        try world.send("platform", .cancellation, "cxl-3", Self.cancellation(invtNo))
        let refused = try world.send(
            "customs", .receipt, "r-624",
            Self.receipt("CEB624Message", .rejected) {
                $0.invtNo = invtNo
                $0.returnInfo = "已放行货物不予撤销"
            }, correlation: "cxl-3")
        let feedback = Self.feedback(refused, about: .cancellation)
        #expect(feedback.count == 1 && feedback.first?.state == .refused && feedback.first?.final == true)
        #expect(feedback.first?.reasons.first?.contains("已放行货物不予撤销") == true)
        #expect(!refused.contains { $0.type == MessageType.withdrawalNotice.rawValue })
        #expect(world.engine.releasedInventory(invtNo: invtNo)?.withdrawn == nil)
        // A late duplicate receipt changes nothing.
        #expect(try world.send("customs", .receipt, "r-624b", Self.receipt("CEB624Message", .approved) { $0.invtNo = invtNo }).isEmpty)
    }

    @Test func aCancellationOfAnUnknownInventoryIsRefused() throws {
        let world = try World()
        let out = Self.feedback(try world.send("platform", .cancellation, "cxl-x", Self.cancellation("INVT-NONE")), about: .cancellation)
        #expect(out.count == 1 && out.first?.state == .refused && out.first?.final == true)
        #expect(out.first?.reasons.first?.hasPrefix("NO_SUCH_DOCUMENT [cancellation.invt_no]") == true)
        let empty = Self.feedback(try world.send("platform", .cancellation, "cxl-y", Self.cancellation("")), about: .cancellation)
        #expect(empty.first?.state == .refused)
        // Nor may a party outside the declaration cancel it.
        let world2 = try World()
        let (_, invtNo, _) = try Self.released(world2, 4)
        var foreign = Self.cancellation(invtNo)
        foreign.ebcCode = "OTHER"
        let stranger = Self.feedback(try world2.send("forex", .cancellation, "cxl-f", foreign), about: .cancellation)
        #expect(stranger.first?.reasons.first?.hasPrefix("NOT_ENTITLED") == true)
    }

    @Test func anExportReturnAfterTheRefundUndoesTheRefundBasis() throws {
        let world = try World()
        let (_, invtNo, _) = try Self.released(world, 5, export: true, close: true)
        var refund = BizRefundResult()
        refund.invtNo = invtNo
        refund.entryID = "291220261000000005"
        refund.decision = .accepted
        refund.refundAmount = "97.57"
        try world.send("tax", .refundResult, "refund-5", refund)

        let filed = try world.send("platform", .returnRequest, "ret-5", Self.returnRequest(invtNo, [(1, "2")], export: true))
        #expect(Self.feedback(filed, about: .returnRequest).first?.state == .pending)
        let approved = try world.send(
            "customs", .receipt, "r-214",
            Self.receipt("CEB214Message", .released) {
                $0.invtNo = invtNo
                $0.coElNo = "ret-\(invtNo)"
            })
        let notice = try #require(approved.first { $0.type == MessageType.returnNotice.rawValue })
        #expect(notice.recipients == ["tax", "forex", "bank"], "tax, forex and the payment's filer, not the waybill's")
        let body = try BizReturnNotice(serializedBytes: notice.body)
        #expect(body.refundBasisUndone && body.refundPaid && body.refundedAmount == "97.57" && body.ieFlag == "E")
        #expect(body.items.count == 1 && body.items.first?.amount == "600.00" && body.items.first?.remainingQty == "0")
        #expect(body.totalAmount == "600.00" && body.currency == "142" && !body.fullyReturned && body.returnStatus == 800)
        let feedback = Self.feedback(approved, about: .returnRequest).first
        #expect(feedback?.state == .accepted && feedback?.final == true)
        #expect(feedback?.reasons.first?.contains("the refund basis of these lines is undone") == true)
    }

    @Test func partialReturnsAreTrackedAndAnExcessReturnIsRefused() throws {
        let world = try World()
        let (_, invtNo, _) = try Self.released(world, 6, close: true)
        try world.send("platform", .returnRequest, "ret-6a", Self.returnRequest(invtNo, [(1, "1")]))
        let first = try world.send(
            "customs", .receipt, "r-626a", Self.receipt("CEB626Message", .approved) { $0.invtNo = invtNo }, correlation: "ret-6a")
        let notice = try BizReturnNotice(serializedBytes: try #require(first.first { $0.type == MessageType.returnNotice.rawValue }).body)
        #expect(notice.items.first?.amount == "300.00" && notice.items.first?.remainingQty == "1" && !notice.refundBasisUndone)
        #expect(notice.items.first?.remainingAmount == "300.00")

        // One more of line 1 waits for customs; another one is more than remains.
        let second = try world.send("platform", .returnRequest, "ret-6b", Self.returnRequest(invtNo, [(1, "1")]))
        #expect(Self.feedback(second, about: .returnRequest).first?.state == .pending)
        let excess = Self.feedback(
            try world.send("platform", .returnRequest, "ret-6c", Self.returnRequest(invtNo, [(1, "1"), (9, "1"), (2, "x")])),
            about: .returnRequest
        ).first
        #expect(excess?.state == .refused && excess?.final == true)
        let rules = excess?.reasons.map { String($0.prefix { $0 != " " }) } ?? []
        #expect(rules.sorted() == ["DECIMAL_FORMAT", "RETURN_EXCEEDS_RELEASED", "UNKNOWN_LINE"])

        // The second approved: nothing of line 1 remains; line 2 still does.
        let last = try world.send(
            "customs", .receipt, "r-626b", Self.receipt("CEB626Message", .approved) { $0.invtNo = invtNo }, correlation: "ret-6b")
        let final = try BizReturnNotice(serializedBytes: try #require(last.first { $0.type == MessageType.returnNotice.rawValue }).body)
        #expect(final.items.first?.amount == "300.00" && final.items.first?.remainingQty == "0" && !final.fullyReturned)
        let remaining = world.engine.releasedInventory(invtNo: invtNo)?.remaining
        #expect(remaining?.map(\.qty) == ["0", "1"] && remaining?.map(\.amount) == ["0.00", "150.50"])
        // A return before the release is refused.
        let (_, open, _) = try Self.released(world, 7, release: false)
        let early = Self.feedback(
            try world.send("platform", .returnRequest, "ret-7", Self.returnRequest(open, [(1, "1")])), about: .returnRequest)
        #expect(early.first?.reasons.first?.hasPrefix("NOT_RELEASED") == true)
    }

    @Test func afterTheHorizonAnUndecidedReturnExpiresAndTheRecordGoes() throws {
        let world = try World()
        let (_, invtNo, _) = try Self.released(world, 10, close: true)
        try world.send("platform", .returnRequest, "ret-10", Self.returnRequest(invtNo, [(1, "1")]))
        world.time += 91 * 86_400_000_000  // flows.declaration.after_release_days: 90 by default
        let (_, _, emitted) = try Self.released(world, 11)
        let expired = Self.feedback(emitted, about: .returnRequest)
        #expect(expired.count == 1 && expired.first?.state == .expired && expired.first?.final == true)
        #expect(expired.first?.subjectID == "ret-10" && expired.first?.pendingDepartments == ["customs"])
        #expect(world.engine.releasedInventory(invtNo: invtNo) == nil)
        let late = Self.feedback(
            try world.send("platform", .returnRequest, "ret-10b", Self.returnRequest(invtNo, [(1, "1")])), about: .returnRequest)
        #expect(late.first?.reasons.first?.hasPrefix("NO_SUCH_DOCUMENT") == true)
    }

    @Test func aPartReturnedAmountRoundsAndTheLastReturnTakesWhatRemains() throws {
        #expect(
            ReturnAmounts.reversed(qty: "1", releasedQty: "3", totalPrice: "100.00", remainingQty: "3", remainingAmount: "100.00")
                == "33.33")
        #expect(
            ReturnAmounts.reversed(qty: "1", releasedQty: "3", totalPrice: "100.00", remainingQty: "1", remainingAmount: "33.34") == "33.34"
        )
        #expect(
            ReturnAmounts.reversed(qty: "0.5", releasedQty: "1", totalPrice: "150.5", remainingQty: "1", remainingAmount: "150.5")
                == "75.25")
    }

    @Test func theSharingPolicyHidesFieldsOfTheNewNotices() throws {
        var yaml = "hub: {endpoint: \"tcp://127.0.0.1:1\", key_file: hub.key, journal: j.sqlite}\n"
        yaml += "types: []\nflows: {declaration: {after_release_days: 30}}\nparties:\n"
        yaml += "  - {id: customs, public_key: \"\(FlowEngineTests.keys[0])\", roles: [customs]}\n"
        yaml += "  - {id: tax, public_key: \"\(FlowEngineTests.keys[1])\", roles: [tax], "
        yaml += "hide: {flow.WithdrawalNotice: [pay_transaction_id], flow.ReturnNotice: [items.gname, pay_transaction_id]}}\n"
        let config = try HubConfig.parse(yaml: yaml, baseDirectory: "/") { _ in "" }
        #expect(config.flows?.afterReleaseDays == 30)
        let policy = try RedactionPolicy(config: config, schema: HubConfig.schema())
        #expect(policy.redactor(for: "tax", type: MessageType.withdrawalNotice.rawValue) != nil)
        #expect(policy.redactor(for: "tax", type: MessageType.returnNotice.rawValue) != nil)
        let bad = yaml.replacingOccurrences(of: "after_release_days: 30", with: "after_release_days: 0")
        #expect(throws: ConfigError.self) { try HubConfig.parse(yaml: bad, baseDirectory: "/") { _ in "" } }
    }

    @Test func anEngineRestoredMidFlowEmitsTheSame() throws {
        let world = try World()
        let (_, invtNo, _) = try Self.released(world, 8, export: true)
        try world.send("platform", .cancellation, "cxl-8", Self.cancellation(invtNo, export: true))
        let (_, other, _) = try Self.released(world, 9, close: true)
        try world.send("platform", .returnRequest, "ret-9", Self.returnRequest(other, [(2, "1")]))
        let snapshot = try FlowSnapshot(decoding: world.engine.snapshot().encoded())
        var restored = world.engine.restored(from: snapshot)
        var rebuilt = try World().engine
        for input in world.journal { _ = rebuilt.journaled(input) }

        let receipts = [
            Self.receipt("CEB606Message", .approved) { $0.invtNo = invtNo },
            Self.receipt("CEB626Message", .approved) { $0.invtNo = other },
        ]
        for (index, receipt) in receipts.enumerated() {
            let live = try world.send("customs", .receipt, "r-\(index)", receipt)
            let input = try #require(world.journal.last)
            #expect(!live.isEmpty)
            #expect(restored.journaled(input) == live)
            #expect(rebuilt.journaled(input) == live)
        }
        let excess = try world.send("platform", .returnRequest, "ret-9b", Self.returnRequest(other, [(2, "1")]))
        let input = try #require(world.journal.last)
        #expect(restored.journaled(input) == excess && rebuilt.journaled(input) == excess)
        #expect(Self.feedback(excess, about: .returnRequest).first?.reasons.first?.hasPrefix("RETURN_EXCEEDS_RELEASED") == true)
    }
}
