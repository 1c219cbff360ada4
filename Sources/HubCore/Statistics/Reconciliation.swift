import Foundation
import HubProtocol

/// 数据相互印证: the same trade as four parties saw it — the platform's orders
/// (`ceb.Order`), the payment company's or bank's payments (`ceb.Payment`, the bank adapter's
/// camt credits included; returns and reversals never become payments), the carrier's
/// waybills (`ceb.Waybill`) and customs' releases (the hub's `flow.ReleaseNotice`) and
/// summary results (`ceb.SummaryResult`) — folded from the journal in seq order.
///
/// The fold keeps each document's facts (keys, amounts as the decimal strings written,
/// line quantities, the day) and nothing personal: no buyer, payer or consignee field is
/// read. Documents are linked and compared when a report is made
/// (``ReconciliationReport``), so rates, tolerance and grace apply without a rebuild and a
/// document may arrive before or after its counterparts.
///
/// A later document with the same key replaces an earlier one (`app_type` 2, a change) and
/// one with `app_type` 3 (delete) removes it. The hub's own forwards of documents to
/// customs and its shares of summary results are not documents of a party and are skipped.
public struct Reconciliation: Sendable, Equatable, Codable {
    /// The journal record a fact comes from, as a discrepancy lists it.
    public struct DocumentRef: Sendable, Equatable, Hashable, Codable {
        public var seq: UInt64
        public var type: String
        public var sender: String
        public var id: String
        /// The business key, e.g. `ebp_code=1101P00001 order_no=order000001`.
        public var key: String

        public init(seq: UInt64, type: String, sender: String, id: String, key: String) {
            self.seq = seq
            self.type = type
            self.sender = sender
            self.id = id
            self.key = key
        }
    }

    /// A goods line: its number, SKU, HS code, quantity and total (decimal strings).
    public struct Line: Sendable, Equatable, Codable {
        public var gnum: Int32
        public var itemNo: String
        public var gcode: String
        public var qty: String
        public var totalPrice: String
        public var currency: String
    }

    /// An order (the platform's view).
    public struct OrderFact: Sendable, Equatable, Codable {
        public var ref: DocumentRef
        public var atUs: Int64
        public var direction: String
        public var enterprise: String
        public var platform: String
        public var orderNo: String
        public var payCode: String
        public var payTransactionId: String
        public var currency: String
        public var goodsValue: String
        public var freight: String
        public var taxTotal: String
        public var discount: String
        public var lines: [Line]
    }

    /// A payment or export proceeds (the payment company's or bank's view).
    public struct PaymentFact: Sendable, Equatable, Codable {
        public var ref: DocumentRef
        public var atUs: Int64
        public var direction: String
        public var payCode: String
        /// `pay_transaction_id`, else (export proceeds) `pay_no`.
        public var transaction: String
        public var orderNo: String
        public var platform: String
        public var enterprise: String
        /// `amount_paid`, else (export proceeds) `charge`.
        public var amount: String
        public var currency: String
    }

    /// A waybill (the carrier's view).
    public struct WaybillFact: Sendable, Equatable, Codable {
        public var ref: DocumentRef
        public var atUs: Int64
        public var logisticsCode: String
        public var logisticsNo: String
        public var orderNo: String
        public var enterprise: String
    }

    /// A release (customs' view, as the hub shared it).
    public struct ReleaseFact: Sendable, Equatable, Codable {
        public var ref: DocumentRef
        public var atUs: Int64
        public var direction: String
        public var invtNo: String
        public var enterprise: String
        public var platform: String
        public var orderNo: String
        public var logisticsCode: String
        public var logisticsNo: String
        public var currency: String
        public var lines: [Line]
    }

    /// A summary result: the inventories customs' summary declaration covered.
    public struct SummaryFact: Sendable, Equatable, Codable {
        public var ref: DocumentRef
        public var atUs: Int64
        public var enterprise: String
        public var invtNos: [String]
    }

    /// Orders by `ebp_code` and `order_no`.
    public private(set) var orders: [String: OrderFact] = [:]
    /// Payments by `pay_code` and transaction (else sender and id).
    public private(set) var payments: [String: PaymentFact] = [:]
    /// Waybills by `logistics_code` and `logistics_no`.
    public private(set) var waybills: [String: WaybillFact] = [:]
    /// Releases by the release notice's id.
    public private(set) var releases: [String: ReleaseFact] = [:]
    /// Summary results by sender and id.
    public private(set) var summaries: [String: SummaryFact] = [:]
    /// The last seq folded.
    public private(set) var lastSeq: UInt64 = 0
    /// The journal's clock: the newest journal time folded, microseconds.
    public private(set) var clockUs: Int64 = 0

    public init() {}

    /// The message types the reconciliation reads.
    public static let types: [String] = [
        MessageType.order.rawValue, MessageType.payment.rawValue, MessageType.waybill.rawValue,
        MessageType.releaseNotice.rawValue, MessageType.summaryResult.rawValue,
    ]

    /// Two key parts as one dictionary key.
    static func key(_ a: String, _ b: String) -> String { a + "\u{1F}" + b }

    /// Folds one record; records must come in seq order (older ones are skipped).
    public mutating func fold(_ record: TradeStatistics.Record) {
        guard record.seq > lastSeq else { return }
        lastSeq = record.seq
        clockUs = max(clockUs, record.journaledAtUs)
        let fromHub = record.sender == HubConfig.hubParty
        func ref(_ key: String) -> DocumentRef {
            DocumentRef(seq: record.seq, type: record.type, sender: record.sender, id: record.id, key: key)
        }
        switch record.type {
        case MessageType.order.rawValue:
            guard !fromHub, let order = try? BizOrder(serializedBytes: record.body) else { return }
            let key = Self.key(order.ebpCode, order.orderNo)
            guard order.appType != .delete else {
                orders[key] = nil
                return
            }
            orders[key] = OrderFact(
                ref: ref("ebp_code=\(order.ebpCode) order_no=\(order.orderNo)"), atUs: record.journaledAtUs,
                direction: Self.direction(order.orderType), enterprise: order.ebcCode, platform: order.ebpCode, orderNo: order.orderNo,
                payCode: order.payCode, payTransactionId: order.payTransactionID, currency: order.currency,
                goodsValue: order.goodsValue, freight: order.freight, taxTotal: order.taxTotal, discount: order.discount,
                lines: order.orderList.map {
                    Line(gnum: $0.gnum, itemNo: $0.itemNo, gcode: "", qty: $0.qty, totalPrice: $0.totalPrice, currency: $0.currency)
                })
        case MessageType.payment.rawValue:
            guard !fromHub, let payment = try? BizPayment(serializedBytes: record.body) else { return }
            let transaction = payment.payTransactionID.isEmpty ? payment.payNo : payment.payTransactionID
            let export = payment.ieFlag == "E" || (payment.amountPaid.isEmpty && !payment.charge.isEmpty)
            let key =
                transaction.isEmpty ? Self.key(record.sender, record.id) : Self.key(payment.payCode, transaction)
            guard payment.appType != .delete else {
                payments[key] = nil
                return
            }
            let name = export && payment.payTransactionID.isEmpty ? "pay_no" : "pay_transaction_id"
            payments[key] = PaymentFact(
                ref: ref("pay_code=\(payment.payCode) \(name)=\(transaction) order_no=\(payment.orderNo)"), atUs: record.journaledAtUs,
                direction: export ? "export" : Self.direction(payment.ieFlag), payCode: payment.payCode, transaction: transaction,
                orderNo: payment.orderNo, platform: payment.ebpCode, enterprise: payment.ebcCode,
                amount: payment.amountPaid.isEmpty ? payment.charge : payment.amountPaid, currency: payment.currency)
        case MessageType.waybill.rawValue:
            guard !fromHub, let waybill = try? BizWaybill(serializedBytes: record.body) else { return }
            let key = Self.key(waybill.logisticsCode, waybill.logisticsNo)
            guard waybill.appType != .delete else {
                waybills[key] = nil
                return
            }
            waybills[key] = WaybillFact(
                ref: ref("logistics_code=\(waybill.logisticsCode) logistics_no=\(waybill.logisticsNo)"), atUs: record.journaledAtUs,
                logisticsCode: waybill.logisticsCode, logisticsNo: waybill.logisticsNo, orderNo: waybill.orderNo,
                enterprise: waybill.ebcCode)
        case MessageType.releaseNotice.rawValue:
            guard fromHub, case .releaseNotice? = HubMessageId(record.id), let notice = try? BizReleaseNotice(serializedBytes: record.body)
            else { return }
            releases[record.id] = ReleaseFact(
                ref: ref("invt_no=\(notice.invtNo) ebp_code=\(notice.ebpCode) order_no=\(notice.orderNo)"), atUs: record.journaledAtUs,
                direction: Self.direction(notice.ieFlag), invtNo: notice.invtNo, enterprise: notice.ebcCode, platform: notice.ebpCode,
                orderNo: notice.orderNo, logisticsCode: notice.logisticsCode, logisticsNo: notice.logisticsNo, currency: notice.currency,
                lines: notice.inventoryList.map {
                    Line(
                        gnum: $0.gnum, itemNo: $0.itemNo, gcode: $0.gcode, qty: $0.qty, totalPrice: $0.totalPrice,
                        currency: $0.currency.isEmpty ? notice.currency : $0.currency)
                })
        case MessageType.summaryResult.rawValue:
            guard !fromHub, let result = try? BizSummaryResult(serializedBytes: record.body) else { return }
            var numbers: [String] = []
            for line in result.summaryResultList where !numbers.contains(line.invtNo) { numbers.append(line.invtNo) }
            summaries[Self.key(record.sender, record.id)] = SummaryFact(
                ref: ref("sum_no=\(result.sumNo) entry_id=\(result.entryID)"), atUs: record.journaledAtUs, enterprise: result.ebcCode,
                invtNos: numbers)
        default:
            return
        }
    }

    /// Folds records in order.
    public mutating func fold(_ records: some Sequence<TradeStatistics.Record>) {
        for record in records { fold(record) }
    }

    /// `import`, `export`, or the flag as written.
    static func direction(_ flag: String) -> String {
        flag == "I" ? "import" : OrderType.isExport(flag) ? "export" : flag
    }
}
