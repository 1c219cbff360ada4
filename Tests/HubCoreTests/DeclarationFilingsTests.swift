import FlowSamples
import HubCore
import HubProtocol
import SwiftProtobuf
import Testing

/// The declaration flow as events in, actions out: customs receipts by kind (each moves
/// only its own document), inventories waiting for their documents until the link
/// timeout, and the standard's appType (1 new, 2 change, 3 delete) on the four documents.
@Suite("Declarations: receipts by kind, link timeout, appType")
struct DeclarationFilingsTests {
    /// An engine with `customs`, `platform` (orders, inventories), `bank` (payments) and
    /// `post` (waybills), the link timeout `linkTimeout`; `declaration` and `flows`: more
    /// keys of the flows' `declaration:` section and of the flows section.
    final class World {
        var engine: FlowEngine
        let config: HubConfig
        let policy: RedactionPolicy
        var time: Int64 = 1_763_700_000_000_000
        var seq: UInt64 = 0
        var journal: [FlowInput] = []

        init(linkTimeout: String = "60s", declaration: String = "", flows: String = "") throws {
            let parties = FlowEngineTests.parties.filter { ["customs", "tax", "forex", "post", "bank", "platform"].contains($0.0) }
            var yaml = "hub: {endpoint: \"tcp://127.0.0.1:1\", key_file: hub.key, journal: j.sqlite}\n"
            let declarationKeys = "link_timeout: \(linkTimeout)" + (declaration.isEmpty ? "" : ", " + declaration)
            yaml += "types: []\nflows: {summary_schedule: none, declaration: {\(declarationKeys)}\(flows.isEmpty ? "" : ", " + flows)}\n"
            yaml += "parties:\n"
            for (index, (id, roles)) in parties.enumerated() {
                yaml += "  - {id: \(id), public_key: \"\(FlowEngineTests.keys[index])\", roles: \(roles)}\n"
            }
            config = try HubConfig.parse(yaml: yaml, baseDirectory: "/") { _ in "" }
            policy = try RedactionPolicy(config: config, schema: HubConfig.schema())
            engine = FlowEngine(config: config, policy: policy)
        }

        /// Journals a message `gapMs` after the previous one; returns what the flows emit.
        @discardableResult
        func send(
            _ sender: String, _ type: MessageType, _ id: String, _ message: some SwiftProtobuf.Message, correlation: String = "",
            gapMs: Int64 = 1
        ) throws -> [FlowEmission] {
            time += gapMs * 1000
            seq += 1
            let input = FlowInput(
                seq: seq, sender: sender, id: id, type: type.rawValue, recipients: [], correlationId: correlation, journaledAtUs: time,
                body: try message.serializedBytes())
            journal.append(input)
            return engine.journaled(input)
        }

        /// The four documents of declaration `n` with ids `ord-n`, `pay-n`, `way-n`, `inv-n`.
        @discardableResult
        func declare(_ docs: Declaration, _ n: Int, only: Set<DeclarationDocument> = Set(DeclarationDocument.allCases)) throws
            -> [FlowEmission]
        {
            var out: [FlowEmission] = []
            if only.contains(.order) { out += try send("platform", .order, "ord-\(n)", docs.order) }
            if only.contains(.payment) { out += try send("bank", .payment, "pay-\(n)", docs.payment) }
            if only.contains(.waybill) { out += try send("post", .waybill, "way-\(n)", docs.waybill) }
            if only.contains(.inventory) { out += try send("platform", .inventory, "inv-\(n)", docs.inventory) }
            return out
        }
    }

    typealias Declaration = SampleFilings.Declaration

    static func feedback(_ emissions: [FlowEmission]) -> [BizFeedback] {
        emissions.filter { $0.type == MessageType.feedback.rawValue }.compactMap { try? BizFeedback(serializedBytes: $0.body) }
    }

    static func document(_ feedback: BizFeedback?, _ type: MessageType) -> BizDocumentStatus? {
        feedback?.documents.first { $0.document == type.rawValue }
    }

    static func receipt(_ messageType: String, _ status: CustomsStatus, _ fill: (inout BizReceipt) -> Void) -> BizReceipt {
        var receipt = BizReceipt()
        receipt.messageType = messageType
        receipt.status = status
        receipt.returnInfo = "receipt \(messageType) \(status)"
        fill(&receipt)
        return receipt
    }

    // MARK: receipts by kind

    @Test func eachReceiptMovesOnlyItsOwnDocument() throws {
        let world = try World()
        let docs = SampleFilings.declaration(1)
        let matched = Self.feedback(try world.declare(docs, 1))
        #expect(matched.last?.state == .pending && Self.document(matched.last, .order)?.status == "forwarded")

        let order = Self.receipt("CEB312Message", .accepted) {
            $0.ebpCode = docs.order.ebpCode
            $0.orderNo = docs.order.orderNo
        }
        var latest = Self.feedback(try world.send("customs", .receipt, "r-order", order)).last
        #expect(Self.document(latest, .order)?.status == "120" && Self.document(latest, .order)?.decision == .accepted)
        #expect(latest?.departments.first?.status == "forwarded", "the order's receipt does not move the declaration")

        let payment = Self.receipt("CEB412Message", .accepted) {
            $0.payCode = docs.payment.payCode
            $0.payTransactionID = docs.payment.payTransactionID
        }
        latest = Self.feedback(try world.send("customs", .receipt, "r-payment", payment)).last
        #expect(Self.document(latest, .payment)?.status == "120" && latest?.departments.first?.status == "forwarded")

        let waybill = Self.receipt("CEB512Message", .rejected) {
            $0.logisticsCode = docs.waybill.logisticsCode
            $0.logisticsNo = docs.waybill.logisticsNo
        }
        latest = Self.feedback(try world.send("customs", .receipt, "r-waybill", waybill)).last
        #expect(Self.document(latest, .waybill)?.status == "100" && Self.document(latest, .waybill)?.decision == .refused)
        #expect(latest?.state == .pending && latest?.final == false, "a waybill's 100 refuses the waybill, not the declaration")

        let inventory = Self.receipt("CEB622Message", .accepted) {
            $0.ebpCode = docs.inventory.ebpCode
            $0.orderNo = docs.inventory.orderNo
            $0.copNo = docs.inventory.copNo
        }
        latest = Self.feedback(try world.send("customs", .receipt, "r-inventory", inventory)).last
        #expect(latest?.departments.first?.status == "120" && Self.document(latest, .inventory)?.status == "120")
        #expect(Self.document(latest, .order)?.status == "120", "each document keeps its own status")

        let summary = Self.receipt("CEB702Message", .accepted) { $0.copNo = docs.inventory.copNo }
        #expect(try world.send("customs", .receipt, "r-summary", summary).isEmpty, "a summary's receipt joins no declaration")

        let released = try world.send(
            "customs", .receipt, "r-800", Self.receipt("CEB622Message", .released) { $0.copNo = docs.inventory.copNo })
        #expect(released.contains { $0.type == MessageType.releaseNotice.rawValue })
    }

    /// The issue's case: an order receipt with status 100 (订单退单) turned a pending
    /// declaration into REFUSED (final).
    @Test func anOrderReceiptWithStatus100LeavesTheDeclarationPending() throws {
        let world = try World()
        let docs = SampleFilings.declaration(2)
        try world.declare(docs, 2)
        let order = Self.receipt("CEB312Message", .rejected) {
            $0.ebpCode = docs.order.ebpCode
            $0.ebcCode = docs.order.ebcCode
            $0.orderNo = docs.order.orderNo
        }
        let latest = Self.feedback(try world.send("customs", .receipt, "r-order-100", order)).last
        #expect(latest?.state == .pending && latest?.final == false)
        #expect(Self.document(latest, .order)?.status == "100" && Self.document(latest, .order)?.decision == .refused)
        #expect(world.engine.declaration(FlowKey(sender: "platform", id: "inv-2"))?.isFinal == false)
        // The inventory's own 100 still refuses the declaration.
        let inventory = Self.receipt("CEB622Message", .rejected) {
            $0.ebpCode = docs.inventory.ebpCode
            $0.orderNo = docs.inventory.orderNo
        }
        let refused = Self.feedback(try world.send("customs", .receipt, "r-inv-100", inventory)).last
        #expect(refused?.state == .refused && refused?.final == true)
    }

    @Test func aReceiptWithoutMessageTypeAnswersTheForwardItNames() throws {
        let world = try World()
        let docs = SampleFilings.declaration(3)
        try world.declare(docs, 3)
        var receipt = BizReceipt()
        receipt.status = .rejected
        let forward = HubMessageId.forward(filer: "platform", inventoryId: "inv-3", document: .payment).description
        let latest = Self.feedback(try world.send("customs", .receipt, "r-pay", receipt, correlation: forward)).last
        #expect(Self.document(latest, .payment)?.status == "100" && latest?.final == false)
        // An export proceeds' receipt (CEB404) joins by the enterprise and its order.
        let proceeds = Self.receipt("CEB404Message", .accepted) {
            $0.ebcCode = docs.inventory.ebcCode
            $0.orderNo = docs.inventory.orderNo
        }
        #expect(Self.feedback(try world.send("customs", .receipt, "r-404", proceeds)).isEmpty, "100 is final for the payment")
        // Another receipt type (a cancellation's) changes nothing of the declaration.
        let other = Self.receipt("CEB624Message", .rejected) {
            $0.ebpCode = docs.inventory.ebpCode
            $0.orderNo = docs.inventory.orderNo
        }
        #expect(try world.send("customs", .receipt, "r-624", other).isEmpty)
    }

    @Test func theReleaseNoticeTotalIsTheSumOfTheReleasedLines() throws {
        #expect(ReleaseNotices.sum(["600.00", "150.5"]) == "750.50")
        #expect(ReleaseNotices.sum(["1", "2"]) == "3" && ReleaseNotices.sum(["-1.5", "0.25"]) == "-1.25")
        #expect(ReleaseNotices.sum(["0.05", "0.05"]) == "0.10")
        #expect(ReleaseNotices.sum([]) == nil && ReleaseNotices.sum(["1e3"]) == nil && ReleaseNotices.sum(["1.2.3"]) == nil)
        let world = try World()
        var docs = SampleFilings.declaration(4)
        // An export: its lines' totals are the declared values, not the order's.
        docs.inventory.ieFlag = "E"
        docs.inventory.inventoryList[0].totalPrice = "610.00"
        try world.declare(docs, 4)
        let released = try world.send(
            "customs", .receipt, "r-800", Self.receipt("CEB622Message", .released) { $0.copNo = docs.inventory.copNo })
        let body = try #require(released.first { $0.type == MessageType.releaseNotice.rawValue }?.body)
        let notice = try BizReleaseNotice(serializedBytes: body)
        let lines = ReleaseNotices.sum(docs.inventory.inventoryList.map(\.totalPrice))
        #expect(notice.totalPrice == "760.50" && lines == "760.50" && docs.order.goodsValue == "750.50")
    }

    @Test func theEnterpriseHearsAboutItsSummaryDeclaration() throws {
        let world = try World()
        var docs = SampleFilings.declaration(14)
        docs.inventory.ieFlag = "E"
        try world.declare(docs, 14)
        try world.send("customs", .receipt, "r-800", Self.receipt("CEB604Message", .released) { $0.copNo = docs.inventory.copNo })
        try world.depart([docs.waybill.logisticsNo], id: "dep-14")
        var request = BizSummaryRequest()
        request.ebcCode = docs.inventory.ebcCode
        let sent = try world.send("customs", .summaryRequest, "sum-req", request)
        let summaryId = try #require(sent.first { $0.type == MessageType.summaryDeclaration.rawValue }?.id)
        let forwarded = Self.feedback(sent).first
        #expect(forwarded?.subjectType == "ceb.SummaryDeclaration" && forwarded?.subjectID == summaryId)
        #expect(forwarded?.state == .pending && forwarded?.departments.first?.status == "forwarded")
        #expect(sent.first { $0.type == MessageType.feedback.rawValue }?.recipients == ["platform"], "the inventory's filer")

        let accepted = Self.receipt("CEB702Message", .accepted) {
            $0.copNo = summaryId
            $0.sumNo = "S20261121000000001"
        }
        let received = Self.feedback(try world.send("customs", .receipt, "r-702", accepted)).first
        #expect(received?.departments.first?.status == "120" && received?.departments.first?.code == "S20261121000000001")
        var result = BizSummaryResult()
        result.sumNo = "S20261121000000001"
        result.entryID = "291220261000000001"
        result.ebcCode = docs.inventory.ebcCode
        let shared = try world.send("customs", .summaryResult, "sres-1", result)
        #expect(shared.contains { $0.type == MessageType.summaryResult.rawValue })
        let final = Self.feedback(shared).first
        #expect(final?.state == .accepted && final?.final == true && final?.departments.first?.code == "291220261000000001")
    }

    // MARK: link timeout

    @Test func anInventoryWaitsNamingWhatIsMissingThenEndsIncomplete() throws {
        let world = try World(linkTimeout: "60s")
        let docs = SampleFilings.declaration(5)
        let first = Self.feedback(try world.declare(docs, 5, only: [.inventory]))
        #expect(first.count == 1 && first.first?.state == .waiting && first.first?.final == false)
        #expect(first.first?.documents.filter { $0.status == "missing" }.map(\.document) == ["ceb.Order", "ceb.Payment", "ceb.Waybill"])
        let brief = world.engine.brief(.declaration, FlowKey(sender: "platform", id: "inv-5"))
        #expect(brief?.state == "waiting" && world.engine.stateCounts[.init(kind: .declaration, state: "waiting")] == 1)

        let second = Self.feedback(try world.declare(docs, 5, only: [.order]))
        #expect(second.first?.documents.filter { $0.status == "missing" }.map(\.document) == ["ceb.Payment", "ceb.Waybill"])
        #expect(Self.document(second.first, .order)?.id == "ord-5")
        let snapshot = world.engine.snapshot()

        // Nothing before the deadline; at it, INCOMPLETE, to the inventory's and the order's filers.
        #expect(world.engine.tick(nowUs: world.time + 59_000_000).isEmpty)
        let expired = world.engine.tick(nowUs: world.time + 61_000_000)
        let final = Self.feedback(expired)
        #expect(final.count == 1 && final.first?.state == .incomplete && final.first?.final == true)
        #expect(final.first?.documents.filter { $0.status == "missing" }.map(\.document) == ["ceb.Payment", "ceb.Waybill"])
        #expect(final.first?.reasons.first?.hasPrefix("INCOMPLETE: ceb.Payment, ceb.Waybill") == true)
        #expect(expired.first?.recipients == ["platform"])
        #expect(world.engine.stateCounts[.init(kind: .declaration, state: "incomplete")] == 1)
        #expect(world.engine.stateCounts[.init(kind: .declaration, state: "waiting")] == 0)

        // A restored engine ends the wait the same way (same id, same body).
        var restored = world.engine.restored(from: try FlowSnapshot(decoding: snapshot.encoded()))
        #expect(restored.tick(nowUs: world.time + 61_000_000) == expired)
        // So does one rebuilt from the journal, even when its timer first runs much later.
        var rebuilt = try World(linkTimeout: "60s").engine
        for input in world.journal { _ = rebuilt.journaled(input) }
        let muchLater = rebuilt.tick(nowUs: world.time + 3_600_000_000)
        #expect(Array(muchLater.prefix(expired.count)) == expired)
        // By then the order inv-5 had waited another link timeout for another inventory.
        #expect(Self.feedback(Array(muchLater.dropFirst(expired.count))).map(\.subjectID) == ["ord-5"])

        // The late documents find no inventory waiting: nothing more about inv-5.
        let late = Self.feedback(try world.declare(docs, 5, only: [.payment, .waybill]))
        #expect(late.isEmpty)
    }

    @Test func documentsArrivingInTimeMatchAndTheWaitEnds() throws {
        let world = try World(linkTimeout: "60s")
        let docs = SampleFilings.declaration(6)
        try world.declare(docs, 6, only: [.inventory, .payment])
        let out = try world.declare(docs, 6, only: [.order, .waybill])
        #expect(out.contains { $0.id == "fwd:platform:inv-6:inventory" })
        #expect(Self.feedback(out).last?.state == .pending)
        #expect(world.engine.waitingCount == 0)
        #expect(Self.feedback(world.engine.tick(nowUs: world.time + 120_000_000)).isEmpty)
    }

    // MARK: appType

    @Test func aSecondInventoryWithTheSameKeysIsRefusedAndTheFirstStays() throws {
        let world = try World()
        let docs = SampleFilings.declaration(7)
        try world.declare(docs, 7, only: [.inventory])
        let refused = try world.send("platform", .inventory, "inv-7-again", docs.inventory)
        let feedback = Self.feedback(refused)
        #expect(feedback.count == 1 && feedback.first?.state == .refused && feedback.first?.final == true)
        #expect(feedback.first?.subjectID == "inv-7-again" && feedback.first?.reasons.first?.hasPrefix("DUPLICATE_DOCUMENT") == true)
        #expect(refused.first?.recipients == ["platform"])
        let matched = try world.declare(docs, 7, only: [.order, .payment, .waybill])
        #expect(matched.contains { $0.id == "fwd:platform:inv-7:inventory" }, "the first inventory is the one matched")
        // While the declaration is in progress, a new order with its keys is refused too.
        let again = Self.feedback(try world.send("platform", .order, "ord-7-again", docs.order)).first
        #expect(again?.reasons.first?.hasPrefix("DUPLICATE_DOCUMENT") == true)
    }

    @Test func aChangeReplacesTheHeldDocumentAndMatchesAgain() throws {
        let world = try World()
        var docs = SampleFilings.declaration(8, mismatch: .paymentAmount)
        try world.declare(docs, 8, only: [.order, .payment, .waybill])
        var refused = Self.feedback(try world.send("bank", .payment, "pay-8-fix", docs.payment)).first
        #expect(refused?.reasons.first?.hasPrefix("DUPLICATE_DOCUMENT") == true, "appType 1 again is refused")
        docs.payment.amountPaid = docs.order.acturalPaid
        docs.payment.appType = .change
        let changed = Self.feedback(try world.send("bank", .payment, "pay-8-v2", docs.payment))
        #expect(changed.first?.state == .accepted && changed.first?.reasons.first?.hasPrefix("CHANGED") == true)
        let out = try world.declare(docs, 8, only: [.inventory])
        #expect(out.contains { $0.id == "fwd:platform:inv-8:inventory" })
        let payment = try #require(world.engine.declaration(FlowKey(sender: "platform", id: "inv-8"))?.declaration.payment)
        #expect(payment.id == "pay-8-v2")
        // Once forwarded, a change is refused; so is one of nothing held.
        refused = Self.feedback(try world.send("bank", .payment, "pay-8-v3", docs.payment)).first
        #expect(refused?.reasons.first?.hasPrefix("ALREADY_FORWARDED") == true)
        var stray = SampleFilings.declaration(80).waybill
        stray.appType = .change
        refused = Self.feedback(try world.send("post", .waybill, "way-80", stray)).first
        #expect(refused?.reasons.first?.hasPrefix("NO_SUCH_DOCUMENT") == true)
    }

    @Test func aChangedDocumentOfAWaitingDeclarationIsToldToItsFilers() throws {
        let world = try World()
        var docs = SampleFilings.declaration(15)
        try world.declare(docs, 15, only: [.inventory, .order])
        docs.order.appType = .change
        docs.order.note = "corrected"
        let out = Self.feedback(try world.send("platform", .order, "ord-15-v2", docs.order))
        #expect(out.map(\.subjectID) == ["ord-15-v2", "inv-15"])
        #expect(out.last?.state == .waiting && Self.document(out.last, .order)?.id == "ord-15-v2")
    }

    @Test func aChangedInventoryTakesTheDeclarationOver() throws {
        let world = try World()
        var docs = SampleFilings.declaration(9)
        try world.declare(docs, 9, only: [.inventory, .order])
        docs.inventory.appType = .change
        let out = try world.send("platform", .inventory, "inv-9-v2", docs.inventory)
        let feedback = Self.feedback(out)
        #expect(feedback.map(\.subjectID) == ["inv-9", "inv-9-v2"])
        #expect(feedback.first?.state == .withdrawn && feedback.first?.final == true)
        #expect(feedback.last?.state == .waiting)
        #expect(try world.declare(docs, 9, only: [.payment, .waybill]).contains { $0.id == "fwd:platform:inv-9-v2:inventory" })
    }

    @Test func aDeletionWithdrawsBeforeTheReleaseOnly() throws {
        let world = try World()
        var docs = SampleFilings.declaration(10)
        try world.declare(docs, 10, only: [.inventory, .order])
        // The order withdrawn: the waiting declaration misses it again.
        docs.order.appType = .delete
        let withdrawn = Self.feedback(try world.send("platform", .order, "ord-10-del", docs.order))
        #expect(withdrawn.map(\.subjectID) == ["ord-10-del", "inv-10"])
        #expect(withdrawn.first?.state == .withdrawn)
        #expect(Self.document(withdrawn.last, .order)?.status == "missing")

        // A forwarded declaration not yet released ends WITHDRAWN; the deletion goes to customs.
        let other = SampleFilings.declaration(11)
        try world.declare(other, 11)
        var deletion = other.inventory
        deletion.appType = .delete
        let out = try world.send("platform", .inventory, "inv-11-del", deletion)
        #expect(out.contains { $0.id == "fwd:platform:inv-11-del:inventory" && $0.recipients == ["customs"] })
        let ended = Self.feedback(out).first { $0.subjectID == "inv-11" }
        #expect(ended?.state == .withdrawn && ended?.final == true)
        #expect(world.engine.declaration(FlowKey(sender: "platform", id: "inv-11")) == nil)

        // After the release it is refused.
        let third = SampleFilings.declaration(12)
        try world.declare(third, 12)
        try world.send("customs", .receipt, "r-12", Self.receipt("CEB622Message", .released) { $0.copNo = third.inventory.copNo })
        var late = third.order
        late.appType = .delete
        let refused = Self.feedback(try world.send("platform", .order, "ord-12-del", late)).first
        #expect(refused?.reasons.first?.hasPrefix("ALREADY_RELEASED") == true)
    }

    @Test func aRefusedDeclarationsDocumentsDoNotHoldTheirKeys() throws {
        let world = try World()
        let docs = SampleFilings.declaration(13, mismatch: .consignee)
        let refused = Self.feedback(try world.declare(docs, 13)).last
        #expect(refused?.state == .refused)
        // A new filing of the order (appType 1) is no duplicate of a refused declaration's.
        let out = try world.send("platform", .order, "ord-13-new", docs.order)
        #expect(Self.feedback(out).isEmpty)
    }

    // MARK: documents no inventory names

    /// An order, payment or waybill no inventory names ends INCOMPLETE at the link timeout,
    /// to its filer; one linked, replaced or withdrawn meanwhile gets nothing; a restored
    /// engine ends the wait the same way.
    @Test func aDocumentNoInventoryNamesEndsIncomplete() throws {
        let world = try World(linkTimeout: "60s")
        let lonely = SampleFilings.declaration(21)
        try world.send("bank", .payment, "pay-lonely", lonely.payment)
        let linked = SampleFilings.declaration(22)
        try world.declare(linked, 22, only: [.order, .payment, .waybill])
        var withdrawn = SampleFilings.declaration(23).waybill
        try world.send("post", .waybill, "way-gone", withdrawn)
        withdrawn.appType = .delete
        try world.send("post", .waybill, "way-delete", withdrawn)
        #expect(world.engine.unlinkedDocumentCount == 5)
        let out = try world.declare(linked, 22, only: [.inventory])
        #expect(out.contains { $0.id == "fwd:platform:inv-22:inventory" })
        #expect(world.engine.unlinkedDocumentCount == 2)
        let snapshot = try FlowSnapshot(decoding: world.engine.snapshot().encoded())

        #expect(world.engine.tick(nowUs: world.time + 50_000_000).isEmpty)
        let expired = world.engine.tick(nowUs: world.time + 61_000_000)
        let feedback = Self.feedback(expired)
        #expect(feedback.map(\.subjectID) == ["pay-lonely"] && expired.map(\.recipients) == [["bank"]])
        #expect(feedback.first?.state == .incomplete && feedback.first?.final == true)
        #expect(feedback.first?.subjectType == "ceb.Payment" && feedback.first?.subjectKey == lonely.payment.payTransactionID)
        #expect(feedback.first?.reasons.first?.hasPrefix("INCOMPLETE: no inventory linked this ceb.Payment") == true)
        #expect(world.engine.unlinkedDocumentCount == 0)
        var restored = world.engine.restored(from: snapshot)
        #expect(restored.tick(nowUs: world.time + 61_000_000) == expired)

        // It links to nothing any more: its inventory, late, waits for a payment.
        let late = Self.feedback(
            try world.send("platform", .order, "ord-21", lonely.order) + world.send("platform", .inventory, "inv-21", lonely.inventory))
        #expect(late.last?.state == .waiting && Self.document(late.last, .payment)?.status == "missing")
    }
}
