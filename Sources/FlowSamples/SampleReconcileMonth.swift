import Foundation
import HubProtocol

/// A month of filings as every party sent them, for cross-verification (数据相互印证):
/// ``SampleTradeMonth``'s inventories and their ends, and before each the platform's order
/// (`ceb.Order`), the payment (`ceb.Payment`: an import payment from the payment company, or
/// export proceeds from the bank, some after the release) and the carrier's waybill
/// (`ceb.Waybill`); at the end, customs' summary result (`ceb.SummaryResult`) of each
/// exporter's released inventories. Everything agrees, except the discrepancies planted on
/// request, each listed in ``planted`` with the document it is found on.
public struct SampleReconcileMonth: Sendable {
    /// A kind of discrepancy to plant.
    public enum Plant: String, Sendable, CaseIterable {
        /// Export proceeds (or an import payment) of half the declared value.
        case value = "VALUE_MISMATCH"
        /// An order line's quantity one more than released.
        case quantity = "QUANTITY_MISMATCH"
        /// A released export whose proceeds never come.
        case releasedUnpaid = "RELEASED_UNPAID"
        /// An order paid and never declared.
        case paymentUnreleased = "PAYMENT_UNRELEASED"
        /// A payment for an order no platform filed.
        case paymentNoOrder = "PAYMENT_NO_ORDER"
        /// A parcel shipped and never declared.
        case waybillUnreleased = "WAYBILL_UNRELEASED"
        /// A summary result covering an inventory never released.
        case summaryUnreleased = "SUMMARY_UNRELEASED"
    }

    /// A planted discrepancy: its kind and the document it is found on.
    public struct Planted: Sendable, Equatable {
        public var kind: Plant
        public var type: String
        public var sender: String
        public var id: String
    }

    /// A party's document, with what the reconciliation should count it as: its
    /// enterprise, amount (goods value, amount paid) and currency.
    public struct Document: Sendable {
        public var type: String
        public var sender: String
        public var id: String
        public var atUs: Int64
        public var enterprise: String
        public var amount: String
        public var currency: String
        /// Inventories a summary result covers.
        public var covered: Int
    }

    /// The documents of one of the month's filings: payment nil when planted away.
    public struct Trade: Sendable {
        public var filing: SampleTradeMonth.Filing
        public var payment: Document?
        public var waybill: Document
    }

    /// The party ids the documents come from.
    public static let platform = "ebp1", payer = "pay1", bank = "bank1", carrier = "post1", customs = "customs"

    public var month: SampleTradeMonth
    public var trades: [Trade] = []
    /// Every party's order, payment, waybill and summary result, planted ones included.
    public var documents: [Document] = []
    public var planted: [Planted] = []
    /// Release notices of trades paid a hundredth of the currency short: within any tolerance
    /// of a CNY or more, a discrepancy only without one.
    public var withinTolerance: [String] = []
    /// Every record, in journal (time) order.
    public var records: [SampleTradeMonth.Record] = []
    /// The newest record's time.
    public var clockUs: Int64 = 0

    /// - Parameters:
    ///   - count: Filings in the month.
    ///   - startUs: The month's first instant (UTC), microseconds.
    ///   - seed: The random sequence (``SampleTradeMonth``'s).
    ///   - plants: Discrepancies of each kind to plant (0: none).
    ///   - graceDays: The reconciliation's grace: planted documents are older than it.
    public init(count: Int, startUs: Int64, seed: UInt64, plants: Int = 0, graceDays: Int = 7) {
        month = SampleTradeMonth(count: count, startUs: startUs, seed: seed)
        let lastUs = month.records.map(\.journaledAtUs).max() ?? startUs
        let graceUs = Int64(graceDays) * 86_400_000_000
        // Filings old enough for a plant: ended (or filed) a grace and a day before the end.
        let old = { (filing: SampleTradeMonth.Filing) in filing.endedAtUs + graceUs + 86_400_000_000 < lastUs }
        var candidates = month.filings.indices.filter { month.filings[$0].fate == .released && old(month.filings[$0]) }
        func take(_ export: Bool?) -> Int? {
            guard let index = candidates.firstIndex(where: { export == nil || (month.filings[$0].inventory.ieFlag == "E") == export })
            else { return nil }
            return candidates.remove(at: index)
        }
        var plan: [Int: Plant] = [:]
        var nearMiss: Set<Int> = []
        for _ in 0..<plants {
            for kind in [Plant.value, .quantity, .releasedUnpaid] {
                if let index = take(kind == .quantity ? nil : true) { plan[index] = kind }
            }
            if let index = take(nil) { nearMiss.insert(index) }
        }
        var timed: [(at: Int64, record: SampleTradeMonth.Record)] = month.records.map { ($0.journaledAtUs, $0) }
        var documents: [Document] = []
        func add(_ type: String, _ sender: String, _ id: String, _ at: Int64, _ body: [UInt8], _ document: Document) {
            timed.append(
                (at, SampleTradeMonth.Record(type: type, sender: sender, id: id, recipients: ["hub"], journaledAtUs: at, body: body)))
            documents.append(document)
        }
        var trades: [Trade] = []
        var planted: [Planted] = []
        for (n, filing) in month.filings.enumerated() {
            let inventory = filing.inventory
            let export = inventory.ieFlag == "E"
            var order = Self.order(inventory, number: n)
            if plan[n] == .quantity, !order.orderList.isEmpty {
                order.orderList[0].qty = "\((Int(order.orderList[0].qty) ?? 0) + 1)"
            }
            let orderAt = filing.filedAtUs - 3_000_000
            add(
                "ceb.Order", Self.platform, String(format: "ord-%06d", n), orderAt, Self.bytes { try order.serializedBytes() },
                Document(
                    type: "ceb.Order", sender: Self.platform, id: String(format: "ord-%06d", n), atUs: orderAt,
                    enterprise: inventory.ebcCode, amount: order.goodsValue, currency: order.currency, covered: 0))
            var paymentDocument: Document?
            if plan[n] != .releasedUnpaid {
                var payment = Self.payment(order, number: n, linkByPlatform: n % 2 == 0)
                let paid = export ? payment.charge : payment.amountPaid
                var amount = paid
                if plan[n] == .value { amount = Self.text(Self.decimal(paid) / 2, scale: 2) }
                if nearMiss.contains(n) {
                    amount = Self.text(Self.decimal(paid) - Decimal(sign: .plus, exponent: -2, significand: 1), scale: 2)
                }
                if export { payment.charge = amount } else { payment.amountPaid = amount }
                // Proceeds of a released export come after the release, the others before the inventory.
                let at = export && filing.fate == .released ? filing.endedAtUs + 7_200_000_000 : filing.filedAtUs - 2_000_000
                let sender = export ? Self.bank : Self.payer
                let id = String(format: "pay-%06d", n)
                let document = Document(
                    type: "ceb.Payment", sender: sender, id: id, atUs: at, enterprise: inventory.ebcCode, amount: amount,
                    currency: payment.currency, covered: 0)
                add("ceb.Payment", sender, id, at, Self.bytes { try payment.serializedBytes() }, document)
                paymentDocument = document
            }
            var waybill = BizWaybill()
            waybill.ieFlag = inventory.ieFlag
            waybill.logisticsCode = inventory.logisticsCode
            waybill.logisticsNo = inventory.logisticsNo
            waybill.currency = inventory.currency
            waybill.freight = "10"
            if export { waybill.ebcCode = inventory.ebcCode } else { waybill.orderNo = inventory.orderNo }
            let waybillDocument = Document(
                type: "ceb.Waybill", sender: Self.carrier, id: String(format: "wb-%06d", n), atUs: filing.filedAtUs - 1_000_000,
                enterprise: inventory.ebcCode, amount: "", currency: "", covered: 0)
            add(
                "ceb.Waybill", Self.carrier, waybillDocument.id, waybillDocument.atUs, Self.bytes { try waybill.serializedBytes() },
                waybillDocument)
            trades.append(Trade(filing: filing, payment: paymentDocument, waybill: waybillDocument))
            if let kind = plan[n] {
                planted.append(
                    Planted(
                        kind: kind, type: "flow.ReleaseNotice", sender: "hub",
                        id: HubMessageId.releaseNotice(filer: filing.filer, inventoryId: filing.id).description))
            }
        }
        planted += Self.plantDocuments(plants: plants, startUs: startUs, lastUs: lastUs, graceUs: graceUs, add: add)
        planted += Self.summaries(trades, plants: plants, atUs: lastUs + 1_000_000, add: add)
        self.trades = trades
        self.documents = documents
        self.planted = planted
        withinTolerance = nearMiss.sorted().map {
            HubMessageId.releaseNotice(filer: month.filings[$0].filer, inventoryId: month.filings[$0].id).description
        }
        records = timed.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element.record)
        clockUs = records.map(\.journaledAtUs).max() ?? startUs
    }
}
