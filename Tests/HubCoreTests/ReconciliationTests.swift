import FlowSamples
import Foundation
import HubConfigKit
import HubCore
import HubProtocol
import Testing

/// 数据相互印证: a generated month of orders, payments, waybills, releases and summary
/// results with discrepancies of every kind planted; all found, nothing else flagged; the
/// totals per enterprise compared with totals the test adds up from the documents; folding
/// in parts through the cache's JSON equals one fold; tolerance, rates, grace and privacy.
@Suite("Reconciliation")
struct ReconciliationTests {
    static let novemberUs: Int64 = 1_793_491_200_000_000  // 2026-11-01T00:00:00Z
    static let month = SampleReconcileMonth(count: 400, startUs: novemberUs, seed: 17, plants: 3, graceDays: 7)
    static let settings = HubConfig.Reconcile(absoluteTolerance: 1, relativeTolerance: ReconciliationTests.decimal("0.001"), graceDays: 7)
    static let rates: [String: Decimal] = [
        "142": 1, "502": ReconciliationTests.decimal("7.1"), "300": ReconciliationTests.decimal("7.7"),
        "116": ReconciliationTests.decimal("0.05"),
    ]

    static func decimal(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }

    static func records(_ records: [SampleTradeMonth.Record]) -> [TradeStatistics.Record] {
        records.enumerated().map { index, record in
            TradeStatistics.Record(
                seq: UInt64(index + 1), type: record.type, sender: record.sender, id: record.id, journaledAtUs: record.journaledAtUs,
                body: record.body)
        }
    }

    static func folded() -> Reconciliation {
        var reconciliation = Reconciliation()
        reconciliation.fold(records(month.records))
        return reconciliation
    }

    static func report(
        _ reconciliation: Reconciliation = folded(), period: TradeReport.Period = .all, enterprise: String? = nil,
        settings: HubConfig.Reconcile = settings, rates: [String: Decimal] = rates
    ) -> ReconciliationReport {
        ReconciliationReport(reconciliation, period: period, enterprise: enterprise, settings: settings, rates: { rates[$0] })
    }

    /// `KIND sender:id` of each discrepancy, by the document it is found on.
    static func found(_ report: ReconciliationReport) -> [String] {
        report.discrepancies.map { "\($0.kind.rawValue) \($0.documents.first?.sender ?? ""):\($0.documents.first?.id ?? "")" }
    }

    /// What must be found: the planted discrepancies, and the filings customs never released
    /// (refused or still pending) whose payment and parcel waited out the grace.
    static func expected(_ month: SampleReconcileMonth, graceDays: Int) -> [String] {
        let graceUs = Int64(graceDays) * 86_400_000_000
        var expected = month.planted.map { "\($0.kind.rawValue) \($0.sender):\($0.id)" }
        for trade in month.trades where trade.filing.fate != .released {
            if let payment = trade.payment, payment.atUs + graceUs <= month.clockUs {
                expected.append("PAYMENT_UNRELEASED \(payment.sender):\(payment.id)")
            }
            if trade.waybill.atUs + graceUs <= month.clockUs {
                expected.append("WAYBILL_UNRELEASED \(trade.waybill.sender):\(trade.waybill.id)")
            }
        }
        return expected.sorted()
    }

    @Test func everyPlantedDiscrepancyIsFoundAndNothingElse() {
        let report = Self.report()
        let found = Self.found(report)
        let expected = Self.expected(Self.month, graceDays: 7)
        #expect(found.count == Set(found).count, "one discrepancy per document and kind")
        let missing = Set(expected).subtracting(found).sorted()
        let extra = Set(found).subtracting(expected).sorted()
        #expect(missing.isEmpty, "not found: \(missing.prefix(10))")
        #expect(extra.isEmpty, "flagged beyond the plants: \(extra.prefix(10))")
        // Each kind planted three times (summary results: one per exporter, up to three).
        for kind in SampleReconcileMonth.Plant.allCases {
            #expect(Self.month.planted.filter { $0.kind == kind }.count == 3, "\(kind)")
        }
        // The documents behind them.
        for discrepancy in report.discrepancies {
            let types = discrepancy.documents.map(\.type)
            switch discrepancy.kind {
            case .valueMismatch: #expect(types == ["flow.ReleaseNotice", "ceb.Order", "ceb.Payment"])
            case .quantityMismatch: #expect(types == ["flow.ReleaseNotice", "ceb.Order"] && discrepancy.reason.contains("line 1: ordered"))
            case .releasedUnpaid: #expect(types == ["flow.ReleaseNotice", "ceb.Order"])
            case .paymentUnreleased: #expect(types == ["ceb.Payment", "ceb.Order"])
            case .paymentNoOrder: #expect(types == ["ceb.Payment"] && discrepancy.enterprise.isEmpty)
            case .waybillUnreleased: #expect(types.first == "ceb.Waybill")
            case .summaryUnreleased: #expect(types == ["ceb.SummaryResult"] && discrepancy.reason.contains("INV9"))
            case .valueNotComparable: Issue.record("every currency has a rate")
            }
            #expect(discrepancy.documents.allSatisfy { $0.seq > 0 && !$0.key.isEmpty })
        }
    }

    @Test func theTotalsPerEnterpriseAreTheDocuments() throws {
        let period = try #require(TradeReport.Period("2026-11"))
        let report = Self.report(period: period)
        struct Side: Equatable {
            var count = 0
            var values: [String: Decimal] = [:]
        }
        var orders: [String: Side] = [:]
        var payments: [String: Side] = [:]
        var waybills: [String: Int] = [:]
        var summarised: [String: Int] = [:]
        var released: [String: Side] = [:]
        for document in Self.month.documents where period.contains(day: TradeStatistics.day(document.atUs)) {
            switch document.type {
            case "ceb.Order":
                orders[document.enterprise, default: Side()].count += 1
                orders[document.enterprise, default: Side()].values[document.currency, default: 0] += Self.decimal(document.amount)
            case "ceb.Payment":
                payments[document.enterprise, default: Side()].count += 1
                payments[document.enterprise, default: Side()].values[document.currency, default: 0] += Self.decimal(document.amount)
            case "ceb.Waybill": waybills[document.enterprise, default: 0] += 1
            default: summarised[document.enterprise, default: 0] += document.covered
            }
        }
        for filing in Self.month.month.filings where filing.fate == .released && period.contains(day: TradeStatistics.day(filing.endedAtUs))
        {
            let inventory = filing.inventory
            released[inventory.ebcCode, default: Side()].count += 1
            for item in inventory.inventoryList {
                released[inventory.ebcCode, default: Side()].values[
                    item.currency.isEmpty ? inventory.currency : item.currency, default: 0] +=
                    Self.decimal(item.totalPrice)
            }
        }
        let enterprises = Set(orders.keys).union(payments.keys).union(waybills.keys).union(summarised.keys).union(released.keys)
        #expect(report.totals.map(\.enterprise) == enterprises.sorted())
        #expect(enterprises.count == 5, "four enterprises and the payments of no order")
        for row in report.totals {
            let key = row.enterprise
            #expect(Side(count: row.orders.count, values: row.orders.values) == orders[key] ?? Side(), "orders of \(key)")
            #expect(Side(count: row.payments.count, values: row.payments.values) == payments[key] ?? Side(), "payments of \(key)")
            #expect(row.waybills == waybills[key] ?? 0 && row.summarised == summarised[key] ?? 0, "waybills of \(key)")
            #expect(Side(count: row.released.count, values: row.released.values) == released[key] ?? Side(), "released of \(key)")
            var cny: Decimal = 0
            for (currency, value) in row.released.values { cny += value * (Self.rates[currency] ?? 0) }
            var rounded = Decimal()
            NSDecimalRound(&rounded, &cny, 2, .plain)
            #expect(row.released.cny == rounded && row.released.unconverted.isEmpty)
        }
        // The released figures are the trade statistics' (same periods, same values).
        var statistics = TradeStatistics()
        statistics.fold(Self.records(Self.month.records))
        let trade = TradeReport(statistics, period: period, by: .enterprise, rates: { Self.rates[$0] })
        for row in trade.rows {
            let figures = row.outcomes[.released]
            let mine = report.totals.first { $0.enterprise == row.key }?.released
            #expect(mine?.count == figures?.count && mine?.cny == figures?.cny, "\(row.key)")
        }
    }

    @Test func foldingInPartsThroughTheCacheEqualsOneFold() throws {
        let records = Self.records(Self.month.records)
        var reconciliation = Reconciliation()
        var start = 0
        for end in [1, 97, 400, 401, 1500, records.count] where end <= records.count && end > start {
            reconciliation.fold(records[start..<end])
            let data = try JSONEncoder().encode(reconciliation)
            reconciliation = try JSONDecoder().decode(Reconciliation.self, from: data)
            start = end
        }
        reconciliation.fold(records[0..<10])
        let once = Self.folded()
        #expect(reconciliation == once)
        #expect(reconciliation.lastSeq == UInt64(records.count) && reconciliation.clockUs == Self.month.clockUs)
        #expect(Self.report(reconciliation) == Self.report(once))
    }

    @Test func anEnterpriseAndAPeriodAreTheirShareOfTheWhole() throws {
        let all = Self.report()
        for enterprise in ["1101E00002", ""] {
            let one = Self.report(enterprise: enterprise)
            #expect(one.totals.map(\.enterprise) == [enterprise])
            #expect(one.totals == all.totals.filter { $0.enterprise == enterprise })
            #expect(one.discrepancies == all.discrepancies.filter { $0.enterprise == enterprise } && !one.discrepancies.isEmpty)
        }
        let december = Self.report(period: try #require(TradeReport.Period("2026-12")))
        #expect(december.discrepancies == all.discrepancies.filter { $0.day.hasPrefix("2026-12-") })
        let quarter = Self.report(period: try #require(TradeReport.Period("2026-Q4")))
        #expect(quarter.discrepancies == all.discrepancies)
    }

    @Test func toleranceRatesAndGraceDecide() {
        // Without tolerance the trades paid a hundredth short are discrepancies too.
        let strict = Self.report(settings: HubConfig.Reconcile(absoluteTolerance: 0, relativeTolerance: 0, graceDays: 7))
        let mismatched = Set(strict.discrepancies.filter { $0.kind == .valueMismatch }.compactMap { $0.documents.first?.id })
        #expect(Self.month.withinTolerance.count == 3 && Set(Self.month.withinTolerance).isSubset(of: mismatched))
        #expect(mismatched.count == 3 + Self.month.withinTolerance.count)
        // A relative tolerance of 60 % lets the half-paid trades through.
        let lenient = Self.report(settings: HubConfig.Reconcile(absoluteTolerance: 0, relativeTolerance: Self.decimal("0.6"), graceDays: 7))
        #expect(lenient.discrepancies.allSatisfy { $0.kind != .valueMismatch })
        // Without rates, different amounts cannot be compared: said so, not guessed.
        let noRates = Self.report(rates: ["142": 1])
        let notComparable = noRates.discrepancies.filter { $0.kind == .valueNotComparable }
        #expect(!notComparable.isEmpty && notComparable.allSatisfy { $0.reason.contains("no rate for") })
        // A grace longer than the month: nothing is overdue.
        let patient = Self.report(settings: HubConfig.Reconcile(absoluteTolerance: 1, relativeTolerance: 0, graceDays: 60))
        // (The half-paid trades are shortfalls: they wait out the grace as well.)
        #expect(Set(patient.discrepancies.map(\.kind)) == [.quantityMismatch, .summaryUnreleased])
    }

    @Test func personalDataIsNeverShown() throws {
        let personal = ["张三", "110101199001011234", "13800138000", "北京市朝阳区某路1号", "李四"]
        var order = BizOrder()
        order.orderType = "I"
        order.orderNo = "p-1"
        order.ebpCode = "P1"
        order.ebcCode = "E1"
        order.currency = "142"
        order.goodsValue = "10"
        order.buyerName = personal[0]
        order.buyerIDNumber = personal[1]
        order.buyerTelephone = personal[2]
        order.consignee = personal[4]
        order.consigneeAddress = personal[3]
        order.payCode = "PAY"
        order.payTransactionID = "t-1"
        var payment = BizPayment()
        payment.ieFlag = "I"
        payment.payCode = "PAY"
        payment.payTransactionID = "t-1"
        payment.orderNo = "p-1"
        payment.ebpCode = "P1"
        payment.amountPaid = "10"
        payment.currency = "142"
        payment.payerName = personal[0]
        payment.payerIDNumber = personal[1]
        payment.telephone = personal[2]
        var waybill = BizWaybill()
        waybill.logisticsCode = "L1"
        waybill.logisticsNo = "n-1"
        waybill.orderNo = "p-1"
        waybill.consignee = personal[4]
        waybill.consigneeAddress = personal[3]
        waybill.consigneeTelephone = personal[2]
        var reconciliation = Reconciliation()
        let bodies: [(String, [UInt8])] = [
            ("ceb.Order", try order.serializedBytes()), ("ceb.Payment", try payment.serializedBytes()),
            ("ceb.Waybill", try waybill.serializedBytes()),
        ]
        for (index, (type, body)) in bodies.enumerated() {
            reconciliation.fold(
                TradeStatistics.Record(
                    seq: UInt64(index + 1), type: type, sender: "party\(index)", id: "d\(index)", journaledAtUs: 1, body: body))
        }
        // A later record moves the clock past the grace: everything is listed.
        reconciliation.fold(
            TradeStatistics.Record(seq: 9, type: "ceb.Waybill", sender: "post", id: "late", journaledAtUs: 40 * 86_400_000_000, body: []))
        let report = Self.report(reconciliation)
        #expect(Set(report.discrepancies.map(\.kind)) == [.paymentUnreleased, .waybillUnreleased])
        let encoded = String(decoding: try JSONEncoder().encode(reconciliation), as: UTF8.self)
        let shown = "\(report)" + encoded
        #expect(personal.allSatisfy { !shown.contains($0) })
    }

    @Test func aChangeReplacesADocumentAndADeleteRemovesIt() throws {
        var order = BizOrder()
        order.appType = .new
        order.orderType = "I"
        order.orderNo = "c-1"
        order.ebpCode = "P1"
        order.ebcCode = "E1"
        order.currency = "142"
        order.goodsValue = "10"
        order.payCode = "PAY"
        order.payTransactionID = "t-1"
        var line = BizOrderItem()
        line.gnum = 1
        line.qty = "2"
        order.orderList = [line]
        var changed = order
        changed.appType = .change
        changed.orderList[0].qty = "3"
        changed.goodsValue = "15"
        var deleted = order
        deleted.appType = .delete
        var payment = BizPayment()
        payment.payCode = "PAY"
        payment.payTransactionID = "t-1"
        payment.amountPaid = "15"
        payment.currency = "142"
        var notice = BizReleaseNotice()
        notice.ieFlag = "I"
        notice.orderNo = "c-1"
        notice.ebpCode = "P1"
        notice.ebcCode = "E1"
        notice.currency = "142"
        var item = BizInventoryItem()
        item.gnum = 1
        item.qty = "3"
        item.totalPrice = "15"
        notice.inventoryList = [item]
        func fold(_ documents: [(String, String, [UInt8])]) -> ReconciliationReport {
            var reconciliation = Reconciliation()
            for (index, (type, sender, body)) in documents.enumerated() {
                reconciliation.fold(
                    TradeStatistics.Record(
                        seq: UInt64(index + 1), type: type, sender: sender, id: "d\(index)", journaledAtUs: 1 + Int64(index), body: body))
            }
            reconciliation.fold(
                TradeStatistics.Record(
                    seq: 99, type: "ceb.Waybill", sender: "post", id: "late", journaledAtUs: 40 * 86_400_000_000, body: []))
            return Self.report(reconciliation)
        }
        // The hub's forward of the order to customs is not the platform's document.
        let base: [(String, String, [UInt8])] = [
            ("ceb.Order", "platform", try order.serializedBytes()), ("ceb.Order", "platform", try changed.serializedBytes()),
            ("ceb.Order", "hub", try order.serializedBytes()), ("ceb.Payment", "bank", try payment.serializedBytes()),
            ("flow.ReleaseNotice", "hub", try notice.serializedBytes()),
        ]
        // (The release notice's id is the hub's: rel:<filer>:<inventory id>.)
        var reconciliation = Reconciliation()
        for (index, (type, sender, body)) in base.enumerated() {
            reconciliation.fold(
                TradeStatistics.Record(
                    seq: UInt64(index + 1), type: type, sender: sender, id: type == "flow.ReleaseNotice" ? "rel:f:inv" : "d\(index)",
                    journaledAtUs: 1, body: body))
        }
        reconciliation.fold(
            TradeStatistics.Record(seq: 99, type: "ceb.Waybill", sender: "post", id: "late", journaledAtUs: 40 * 86_400_000_000, body: []))
        let report = Self.report(reconciliation)
        #expect(report.discrepancies.isEmpty, "the changed order (qty 3, 15) agrees: \(report.discrepancies.map(\.reason))")
        #expect(report.totals.first { $0.enterprise == "E1" }?.orders.values == ["142": 15])
        // Deleted: the payment pays no order.
        let gone = fold([
            ("ceb.Order", "platform", try order.serializedBytes()), ("ceb.Order", "platform", try deleted.serializedBytes()),
            ("ceb.Payment", "bank", try payment.serializedBytes()),
        ])
        #expect(gone.discrepancies.map(\.kind) == [.paymentNoOrder] && gone.totals.allSatisfy { $0.orders.count == 0 })
    }

    @Test func theReconcileSectionIsParsed() throws {
        let config = try ArchiveConfigTests.parse(
            "statistics: {reconcile: {tolerance: {absolute: 1.5, relative: 0.005}, grace_days: 10}}\n")
        #expect(
            config.statistics.reconcile
                == HubConfig.Reconcile(absoluteTolerance: Self.decimal("1.5"), relativeTolerance: Self.decimal("0.005"), graceDays: 10))
        #expect(try ArchiveConfigTests.parse("").statistics.reconcile == HubConfig.Reconcile())
        #expect(HubConfig.Reconcile().absoluteTolerance == Self.decimal("0.01") && HubConfig.Reconcile().graceDays == 30)
    }

    @Test(arguments: [
        ("statistics: {reconcile: {tolerance: {absolute: -1}}}\n", "statistics.reconcile.tolerance.absolute = -1.0 must be a CNY amount"),
        ("statistics: {reconcile: {tolerance: {relative: 2}}}\n", "statistics.reconcile.tolerance.relative = 2.0 must be a fraction"),
        ("statistics: {reconcile: {grace_days: -3}}\n", "statistics.reconcile.grace_days = -3 is outside 0...3650"),
        ("statistics: {reconcile: {grace: 3}}\n", "grace"),
    ])
    func badReconcileSectionsAreRefused(yaml: String, reason: String) throws {
        let error = #expect(throws: ConfigError.self) { try ArchiveConfigTests.parse(yaml) }
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
    }
}
