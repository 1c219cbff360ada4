import Foundation
import HubCore
import HubProtocol
import Testing

@Suite("Declarations: documents in any order, matched once all four are there")
struct DeclarationLinkerTests {
    enum Doc: CaseIterable { case order, payment, waybill, inventory }

    static func feed(_ linker: inout DeclarationLinker, _ doc: Doc, _ docs: DeclarationMatcherTests.Documents, tag: String = "")
        -> [DeclarationLinker.Action]
    {
        switch doc {
        case .order: linker.add(order: .init(id: "o\(tag)", sender: "platform", document: docs.order))
        case .payment: linker.add(payment: .init(id: "p\(tag)", sender: "bank", document: docs.payment))
        case .waybill: linker.add(waybill: .init(id: "w\(tag)", sender: "post", document: docs.waybill))
        case .inventory: linker.add(inventory: .init(id: "i\(tag)", sender: "platform", document: docs.inventory))
        }
    }

    /// The actions that settle a declaration (matched or mismatched), without the reports of
    /// inventories still waiting.
    static func settled(_ actions: [DeclarationLinker.Action]) -> [DeclarationLinker.Action] {
        actions.filter {
            if case .waiting = $0 { return false }
            return true
        }
    }

    static func permutations<T>(_ items: [T]) -> [[T]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { index -> [[T]] in
            var rest = items
            let first = rest.remove(at: index)
            return permutations(rest).map { [first] + $0 }
        }
    }

    @Test func everyArrivalOrderMatchesExactlyOnceAtTheFourthDocument() {
        let docs = DeclarationMatcherTests.matching()
        let orders = Self.permutations(Doc.allCases)
        #expect(orders.count == 24)
        for arrival in orders {
            var linker = DeclarationLinker()
            var actions: [[DeclarationLinker.Action]] = []
            for doc in arrival { actions.append(Self.settled(Self.feed(&linker, doc, docs))) }
            let early = actions.dropLast().filter { !$0.isEmpty }.count
            #expect(early == 0, "\(arrival): nothing before the fourth document")
            guard case .matched(let declaration)? = actions.last?.first, actions.last?.count == 1 else {
                Issue.record("\(arrival): expected one match, got \(String(describing: actions.last))")
                continue
            }
            #expect(declaration.inventory.id == "i" && declaration.payment.sender == "bank")
            #expect(linker.waitingInventories == 0)
        }
    }

    @Test func everyArrivalOrderReportsAMismatchOnce() {
        var docs = DeclarationMatcherTests.matching()
        docs.payment.amountPaid = "1.00"
        for arrival in Self.permutations(Doc.allCases) {
            var linker = DeclarationLinker()
            let actions = Self.settled(arrival.flatMap { Self.feed(&linker, $0, docs) })
            guard actions.count == 1, case .mismatched(_, let failures) = actions[0] else {
                Issue.record("\(arrival): expected one mismatch, got \(actions)")
                continue
            }
            #expect(failures.map(\.rule) == [.paymentAmount])
        }
    }

    @Test func aPaymentWithAnotherTransactionIsLinkedByItsOrderAndReported() {
        var docs = DeclarationMatcherTests.matching()
        docs.payment.payTransactionID = "typo-123"
        var linker = DeclarationLinker()
        let actions = Self.settled(Doc.allCases.flatMap { Self.feed(&linker, $0, docs) })
        guard case .mismatched(_, let failures)? = actions.first else {
            Issue.record("expected a mismatch, got \(actions)")
            return
        }
        #expect(failures.map(\.rule) == [.paymentLink])
        #expect(failures.first?.fields == ["order.pay_transaction_id", "payment.pay_transaction_id"])
    }

    @Test func aWaybillWithAnotherNumberIsLinkedByItsOrderAndReported() {
        var docs = DeclarationMatcherTests.matching()
        docs.waybill.logisticsNo = "L-OTHER"
        var linker = DeclarationLinker()
        let actions = Self.settled(Doc.allCases.reversed().flatMap { Self.feed(&linker, $0, docs) })
        guard case .mismatched(_, let failures)? = actions.first else {
            Issue.record("expected a mismatch, got \(actions)")
            return
        }
        #expect(failures.map(\.rule) == [.waybillLink])
    }

    @Test func interleavedDeclarationsDoNotCross() {
        let first = DeclarationMatcherTests.matching()
        var second = DeclarationMatcherTests.matching()
        second.order.orderNo = "order-2"
        second.payment.orderNo = "order-2"
        second.payment.payTransactionID = "tx-2"
        second.order.payTransactionID = "tx-2"
        second.waybill.orderNo = "order-2"
        second.waybill.logisticsNo = "L-2"
        second.inventory.orderNo = "order-2"
        second.inventory.logisticsNo = "L-2"
        var linker = DeclarationLinker()
        var matched: [String] = []
        for doc in Doc.allCases {
            for (docs, tag) in [(second, "2"), (first, "1")] {
                for case .matched(let declaration) in Self.feed(&linker, doc, docs, tag: tag) {
                    #expect([declaration.order.id, declaration.payment.id, declaration.waybill.id].allSatisfy { $0.hasSuffix(tag) })
                    matched.append(declaration.inventory.id)
                }
            }
        }
        #expect(matched.sorted() == ["i1", "i2"])
    }

    /// A linker read back from a snapshot links what arrives next as the live one would: its
    /// index of transactions, waybill numbers and order numbers is rebuilt, not stored.
    @Test func aLinkerReadBackFromASnapshotLinksTheRest() throws {
        let docs = DeclarationMatcherTests.matching()
        for arrival in Self.permutations(Doc.allCases) {
            for cut in 1..<arrival.count {
                var linker = DeclarationLinker()
                for doc in arrival[..<cut] { _ = Self.feed(&linker, doc, docs) }
                var restored = try JSONDecoder().decode(DeclarationLinker.self, from: JSONEncoder().encode(linker))
                let actions = Self.settled(arrival[cut...].flatMap { Self.feed(&restored, $0, docs) })
                guard actions.count == 1, case .matched = actions[0] else {
                    Issue.record("\(arrival), snapshot after \(cut): expected one match, got \(actions)")
                    continue
                }
                #expect(restored.waitingInventories == 0)
            }
        }
    }

    /// A payment links through its transaction only the orders that name it now: an order
    /// filed again under its keys with another transaction is not linked by the old one.
    @Test func aReplacedOrderIsLinkedByItsNewTransactionOnly() {
        var docs = DeclarationMatcherTests.matching()
        var other = docs
        other.order.payTransactionID = "tx-new"
        other.payment.payTransactionID = "tx-new"
        other.payment.orderNo = "order-elsewhere"
        docs.payment.orderNo = "order-elsewhere"
        var linker = DeclarationLinker()
        _ = Self.feed(&linker, .inventory, docs)
        _ = Self.feed(&linker, .waybill, docs)
        _ = Self.feed(&linker, .order, docs)
        _ = Self.feed(&linker, .order, other, tag: "2")
        #expect(Self.settled(Self.feed(&linker, .payment, docs)).isEmpty, "the old transaction links nothing any more")
        // Linked through the transaction alone (its order number is another), and so reported.
        let actions = Self.settled(Self.feed(&linker, .payment, other, tag: "2"))
        guard actions.count == 1, case .mismatched(let declaration, let failures) = actions[0] else {
            Issue.record("expected the declaration settled through the new transaction, got \(actions)")
            return
        }
        #expect(declaration.order.id == "o2" && declaration.payment.id == "p2")
        #expect(failures.map(\.rule) == [.paymentLink])
    }

    @Test func anInventoryWithoutItsDocumentsWaits() {
        var linker = DeclarationLinker()
        let docs = DeclarationMatcherTests.matching()
        guard case .waiting(let alone)? = Self.feed(&linker, .inventory, docs).first else {
            Issue.record("the inventory alone waits")
            return
        }
        #expect(alone.missing == [.order, .payment, .waybill] && alone.filers == ["platform"])
        guard case .waiting(let withOrder)? = Self.feed(&linker, .order, docs).first else {
            Issue.record("the inventory with its order waits")
            return
        }
        #expect(withOrder.missing == [.payment, .waybill] && withOrder.order?.id == "o")
        #expect(linker.waitingInventories == 1)
        #expect(Self.feed(&linker, .payment, docs).count == 1, "one report per waiting inventory looked at")
    }
}
