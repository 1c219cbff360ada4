import Foundation

/// A view of ``Reconciliation``: per enterprise (`ebc_code`) and period, what the platform,
/// the payment side, the carrier and customs each saw, side by side, and every discrepancy
/// with the documents behind it.
///
/// Documents are linked as the 三单对碰 links them: a trade is an order, by (`ebp_code`,
/// `order_no`); a payment belongs to the order naming its (`pay_code`,
/// `pay_transaction_id`), else to the order of its own (`ebp_code`, `order_no`), else (export
/// proceeds) of its (`ebc_code`, `order_no`); a release to the order of its (`ebp_code`,
/// `order_no`); a waybill is released when a release names its (`logistics_code`,
/// `logistics_no`); a summary result's lines name released inventories by `invt_no`.
///
/// Every document is counted, and every discrepancy listed, on the UTC day its record was
/// journaled (a trade's checks on its first release), under its enterprise, with the
/// period boundaries of ``TradeReport/Period``.
public struct ReconciliationReport: Sendable, Equatable {
    /// What disagrees. The raw values are the stable codes `--json` and the README use.
    public enum Kind: String, Sendable, Equatable, CaseIterable, Codable {
        /// The declared value and what was paid for it differ beyond the tolerance.
        case valueMismatch = "VALUE_MISMATCH"
        /// The values are in currencies without a rate in `statistics.cny_rates`.
        case valueNotComparable = "VALUE_NOT_COMPARABLE"
        /// A released line's quantity differs from the order line's (by `gnum`), or a line
        /// is on one side only.
        case quantityMismatch = "QUANTITY_MISMATCH"
        /// Released, and no payment after the grace.
        case releasedUnpaid = "RELEASED_UNPAID"
        /// Paid for an order, and no release after the grace.
        case paymentUnreleased = "PAYMENT_UNRELEASED"
        /// A payment no order links to, after the grace.
        case paymentNoOrder = "PAYMENT_NO_ORDER"
        /// A parcel shipped (waybill) and no release names it after the grace.
        case waybillUnreleased = "WAYBILL_UNRELEASED"
        /// A summary result covers an inventory no release names.
        case summaryUnreleased = "SUMMARY_UNRELEASED"
    }

    /// One discrepancy: its kind, where it is counted, why, and the documents behind it
    /// (the one it is counted on first).
    public struct Discrepancy: Sendable, Equatable {
        public var kind: Kind
        public var enterprise: String
        /// UTC day, `YYYY-MM-DD`.
        public var day: String
        /// Amounts, quantities and keys only: never personal data.
        public var reason: String
        public var documents: [Reconciliation.DocumentRef]
    }

    /// One enterprise's figures in the period.
    public struct Totals: Sendable, Equatable {
        public var enterprise: String
        /// Orders and their goods value (`goods_value`).
        public var orders = TradeReport.Figures()
        /// Payments and their amounts (`amount_paid`, export proceeds' `charge`).
        public var payments = TradeReport.Figures()
        /// Waybills.
        public var waybills = 0
        /// Releases and the released lines' value (as ``TradeStatistics`` values them).
        public var released = TradeReport.Figures()
        /// Inventories covered by customs' summary results.
        public var summarised = 0

        public init(enterprise: String) { self.enterprise = enterprise }
    }

    public var period: TradeReport.Period
    /// Only this enterprise, or every one.
    public var enterprise: String?
    /// The journal's clock the grace is counted to.
    public var clockUs: Int64
    /// By enterprise, sorted ("" for documents of no known enterprise).
    public var totals: [Totals]
    /// By day, kind and the first document's seq.
    public var discrepancies: [Discrepancy]

    /// Makes the report.
    ///
    /// - Parameters:
    ///   - reconciliation: What was folded.
    ///   - period: The days counted.
    ///   - enterprise: One `ebc_code`, nil: all.
    ///   - settings: Tolerance and grace.
    ///   - rates: CNY per unit of a currency, nil: no rate.
    public init(
        _ reconciliation: Reconciliation, period: TradeReport.Period, enterprise: String?, settings: HubConfig.Reconcile,
        rates: (String) -> Decimal?
    ) {
        self.period = period
        self.enterprise = enterprise
        clockUs = reconciliation.clockUs
        let links = Links(reconciliation)
        var totals: [String: Totals] = [:]
        func counts(_ atUs: Int64, _ owner: String) -> Bool {
            period.contains(day: TradeStatistics.day(atUs)) && (enterprise == nil || enterprise == owner)
        }
        func add(_ figures: inout TradeReport.Figures, _ amount: String, _ currency: String) {
            figures.values[currency, default: 0] += DeclarationMatcher.decimal(amount) ?? 0
        }
        for order in reconciliation.orders.values where counts(order.atUs, order.enterprise) {
            totals[order.enterprise, default: Totals(enterprise: order.enterprise)].orders.count += 1
            add(&totals[order.enterprise, default: Totals(enterprise: order.enterprise)].orders, order.goodsValue, order.currency)
        }
        for payment in reconciliation.payments.values {
            let owner = links.enterprise(of: payment)
            guard counts(payment.atUs, owner) else { continue }
            totals[owner, default: Totals(enterprise: owner)].payments.count += 1
            add(&totals[owner, default: Totals(enterprise: owner)].payments, payment.amount, payment.currency)
        }
        for waybill in reconciliation.waybills.values {
            let owner = links.enterprise(of: waybill)
            guard counts(waybill.atUs, owner) else { continue }
            totals[owner, default: Totals(enterprise: owner)].waybills += 1
        }
        for release in reconciliation.releases.values where counts(release.atUs, release.enterprise) {
            totals[release.enterprise, default: Totals(enterprise: release.enterprise)].released.count += 1
            for line in release.lines {
                add(&totals[release.enterprise, default: Totals(enterprise: release.enterprise)].released, line.totalPrice, line.currency)
            }
        }
        for summary in reconciliation.summaries.values where counts(summary.atUs, summary.enterprise) {
            totals[summary.enterprise, default: Totals(enterprise: summary.enterprise)].summarised += summary.invtNos.count
        }
        self.totals = totals.keys.sorted().compactMap { key in
            guard var row = totals[key] else { return nil }
            Self.convert(&row.orders, rates)
            Self.convert(&row.payments, rates)
            Self.convert(&row.released, rates)
            return row
        }
        var currencies = Set(reconciliation.orders.values.map(\.currency)).union(reconciliation.payments.values.map(\.currency))
        currencies.formUnion(reconciliation.releases.values.flatMap { $0.lines.map(\.currency) + [$0.currency] })
        let known = Dictionary(uniqueKeysWithValues: currencies.compactMap { currency in rates(currency).map { (currency, $0) } })
        var checks = Checks(links: links, settings: settings, rates: known, clockUs: reconciliation.clockUs)
        checks.run(reconciliation)
        let order = Dictionary(uniqueKeysWithValues: Kind.allCases.enumerated().map { ($1, $0) })
        discrepancies = checks.found.filter { counts($0.atUs, $0.discrepancy.enterprise) }.map(\.discrepancy).sorted {
            ($0.day, order[$0.kind] ?? 0, $0.documents.first?.seq ?? 0) < ($1.day, order[$1.kind] ?? 0, $1.documents.first?.seq ?? 0)
        }
    }

    /// Works out `cny` and `unconverted` of figures whose values are set.
    static func convert(_ figures: inout TradeReport.Figures, _ rates: (String) -> Decimal?) {
        var cny: Decimal = 0
        for (currency, value) in figures.values {
            if let rate = rates(currency) { cny += value * rate } else { figures.unconverted[currency] = value }
        }
        figures.cny = fen(cny)
    }

    /// Rounded to the fen.
    static func fen(_ value: Decimal) -> Decimal {
        var value = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 2, .plain)
        return rounded
    }
}
