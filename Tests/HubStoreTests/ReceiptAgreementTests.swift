import FlowSamples
import HubCore
import HubProtocol
import HubStore
import SwiftProtobuf
import Testing

/// The flows and `swhub trace` join customs' receipts to their declaration by one rule
/// (`ReceiptMatcher`): a journal of three declarations and receipts of every kind (by
/// correlation, by the order's keys, by cop_no, for the order, for a summary, with
/// a correlation that wins over the keys), run through the flow engine as the hub runs it;
/// the trace of each declaration shows exactly the receipts the flows joined to it.
@Suite("Receipts: the flows and the trace agree")
struct ReceiptAgreementTests {
    static func engine() throws -> FlowEngine {
        let parties = [
            ("customs", "[customs]"), ("bank", "[bank, payment_company]"), ("post", "[post, logistics_company]"),
            ("platform", "[platform, ecommerce_enterprise]"),
        ]
        var yaml = "hub: {endpoint: \"tcp://127.0.0.1:1\", key_file: hub.key, journal: j.sqlite}\ntypes: []\nflows: {}\nparties:\n"
        for (index, (id, roles)) in parties.enumerated() {
            // Any 40 characters of the Z85 alphabet make a key the parser accepts.
            yaml += "  - {id: \(id), public_key: \"\(String(repeating: Array("abcd")[index], count: 40))\", roles: \(roles)}\n"
        }
        let config = try HubConfig.parse(yaml: yaml, baseDirectory: "/") { _ in "" }
        return FlowEngine(config: config, policy: try RedactionPolicy(config: config, schema: HubConfig.schema()))
    }

    /// Journals a message and what the flows emit for it, as the hub does; returns the
    /// subjects (inventory ids) of the feedback the flows emitted for it.
    final class Hub {
        var engine: FlowEngine
        let store: SQLiteJournalStore
        var time: Int64 = 1_763_700_000_000_000

        init(engine: FlowEngine, store: SQLiteJournalStore) {
            self.engine = engine
            self.store = store
        }

        @discardableResult
        func journal(_ sender: String, _ type: MessageType, _ id: String, _ message: some SwiftProtobuf.Message, correlation: String = "")
            throws -> Set<String>
        {
            time += 1000
            let body: [UInt8] = try message.serializedBytes()
            _ = try store.append(
                [
                    JournalAppend(
                        sender: sender, id: id, type: type.rawValue, recipients: [], correlationId: correlation, createdAtUs: time,
                        body: body)
                ],
                acks: [:])
            let emitted = engine.journaled(
                FlowInput(
                    seq: 0, sender: sender, id: id, type: type.rawValue, recipients: [], correlationId: correlation, journaledAtUs: time,
                    body: body))
            for emission in emitted {
                _ = try store.append(
                    [
                        JournalAppend(
                            sender: HubConfig.hubParty, id: emission.id, type: emission.type, recipients: emission.recipients,
                            correlationId: emission.correlationId, createdAtUs: time, body: emission.body)
                    ],
                    acks: [:])
            }
            return Set(emitted.filter { $0.type == MessageType.feedback.rawValue }.map(\.correlationId))
        }
    }

    @Test func theTraceOfEachDeclarationShowsTheReceiptsTheFlowsJoinedToIt() throws {
        try withTemporaryJournal { journal in
            let hub = Hub(engine: try Self.engine(), store: try journal.open())
            var inventories: [Int: BizInventory] = [:]
            for n in 1...3 {
                let docs = SampleFilings.declaration(n)
                inventories[n] = docs.inventory
                try hub.journal("platform", .order, "ord-\(n)", docs.order)
                try hub.journal("bank", .payment, "pay-\(n)", docs.payment)
                try hub.journal("post", .waybill, "way-\(n)", docs.waybill)
                try hub.journal("platform", .inventory, "inv-\(n)", docs.inventory)
            }
            func forward(_ n: Int, _ document: DeclarationDocument) -> String {
                HubMessageId.forward(filer: "platform", inventoryId: "inv-\(n)", document: document).description
            }
            func receipt(_ status: CustomsStatus, of n: Int?, copOnly: Bool = false) -> BizReceipt {
                var receipt = BizReceipt()
                receipt.messageType = "CEB622Message"
                receipt.status = status
                if let n, let inventory = inventories[n] {
                    if !copOnly {
                        receipt.ebpCode = inventory.ebpCode
                        receipt.orderNo = inventory.orderNo
                    }
                    receipt.copNo = inventory.copNo
                }
                return receipt
            }
            var summary = receipt(.accepted, of: 1)
            summary.messageType = "CEB702Message"
            summary.copNo = HubMessageId.summary(number: 1).description
            summary.sumNo = "S1"

            // What the flows join each receipt to, by the feedback it caused.
            var joined: [String: Set<String>] = [:]
            joined["r-corr-1"] = try hub.journal(
                "customs", .receipt, "r-corr-1", receipt(.accepted, of: 1), correlation: forward(1, .inventory))
            joined["r-keys-2"] = try hub.journal("customs", .receipt, "r-keys-2", receipt(.accepted, of: 2))
            joined["r-cop-3"] = try hub.journal("customs", .receipt, "r-cop-3", receipt(.accepted, of: 3, copOnly: true))
            var orderReceipt = receipt(.manualReview, of: 2)
            orderReceipt.messageType = "CEB312Message"
            joined["r-order-2"] = try hub.journal("customs", .receipt, "r-order-2", orderReceipt, correlation: forward(2, .order))
            joined["r-summary"] = try hub.journal("customs", .receipt, "r-summary", summary)
            joined["r-corr-1-keys-2"] = try hub.journal(
                "customs", .receipt, "r-corr-1-keys-2", receipt(.approved, of: 2), correlation: forward(1, .inventory))
            joined["r-unknown"] = try hub.journal("customs", .receipt, "r-unknown", receipt(.released, of: nil))
            joined["r-released-3"] = try hub.journal("customs", .receipt, "r-released-3", receipt(.released, of: 3))

            #expect(joined["r-corr-1"] == ["inv-1"] && joined["r-keys-2"] == ["inv-2"] && joined["r-cop-3"] == ["inv-3"])
            #expect(joined["r-corr-1-keys-2"] == ["inv-1"], "the correlation wins over the keys")
            #expect(joined["r-order-2"] == ["inv-2"], "an order's receipt joins its declaration (and moves only the order)")
            #expect(joined["r-summary"] == [] && joined["r-unknown"] == [])
            #expect(joined["r-released-3"] == ["inv-3"])

            let inspector = try JournalInspector(path: journal.path)
            for n in 1...3 {
                let traced = Set(try inspector.trace("inv-\(n)").messages.filter { $0.type == MessageType.receipt.rawValue }.map(\.id))
                for (receipt, subjects) in joined where !subjects.isEmpty {
                    #expect(
                        traced.contains(receipt) == subjects.contains("inv-\(n)"), "\(receipt) in the trace of inv-\(n): \(traced.sorted())"
                    )
                }
                #expect(!traced.contains("r-summary") && !traced.contains("r-unknown"))
            }
        }
    }

    /// The trace links the documents the flows linked, `appType` included: a second order
    /// with the same keys and app_type 1 was refused, a payment changed (2) replaces the one
    /// waiting, a waybill deleted (3) links nothing and its successor takes its place.
    @Test func theTraceLinksTheDocumentsTheFlowsLinkedUnderAppType() throws {
        try withTemporaryJournal { journal in
            let hub = Hub(engine: try Self.engine(), store: try journal.open())
            let docs = SampleFilings.declaration(1)
            try hub.journal("platform", .order, "ord-1", docs.order)
            var duplicate = docs.order
            duplicate.goodsValue = "1.00"
            try hub.journal("platform", .order, "ord-dup", duplicate)
            try hub.journal("bank", .payment, "pay-1", docs.payment)
            var changed = docs.payment
            changed.appType = .change
            try hub.journal("bank", .payment, "pay-2", changed)
            var deleted = docs.waybill
            try hub.journal("post", .waybill, "way-1", deleted)
            deleted.appType = .delete
            try hub.journal("post", .waybill, "way-del", deleted)
            try hub.journal("post", .waybill, "way-2", docs.waybill)
            try hub.journal("platform", .inventory, "inv-1", docs.inventory)

            let flow = try #require(hub.engine.declaration(FlowKey(sender: "platform", id: "inv-1")))
            let linked = [
                flow.declaration.order.id, flow.declaration.payment.id, flow.declaration.waybill.id, flow.declaration.inventory.id,
            ]
            #expect(linked == ["ord-1", "pay-2", "way-2", "inv-1"])
            let documents = try JournalInspector(path: journal.path).trace("inv-1").messages.filter {
                $0.role == .document || $0.role == .subject
            }
            #expect(Set(documents.map(\.id)) == Set(linked))
        }
    }
}
