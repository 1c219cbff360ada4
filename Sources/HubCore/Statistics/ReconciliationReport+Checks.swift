import Foundation

extension ReconciliationReport {
    /// The documents of a ``Reconciliation`` linked to each other (see ``ReconciliationReport``).
    struct Links {
        let reconciliation: Reconciliation
        /// Order keys by (pay_code, pay_transaction_id) and by (ebc_code, order_no); order
        /// keys by order_no.
        var byTransaction: [String: String] = [:]
        var byEnterprise: [String: String] = [:]
        var byNumber: [String: String] = [:]
        /// Releases by their order's key, sorted by seq; release keys by logistics number and
        /// the `invt_no`s released.
        var releases: [String: [Reconciliation.ReleaseFact]] = [:]
        var releaseByParcel: [String: Reconciliation.ReleaseFact] = [:]
        var released: Set<String> = []
        /// Payments by their order's key, sorted by seq.
        var payments: [String: [Reconciliation.PaymentFact]] = [:]

        init(_ reconciliation: Reconciliation) {
            self.reconciliation = reconciliation
            // Sorted, so that when two documents claim a key the first keeps it, whatever the
            // dictionary's order.
            for (key, order) in reconciliation.orders.sorted(by: { $0.key < $1.key }) {
                if !order.payCode.isEmpty, !order.payTransactionId.isEmpty {
                    byTransaction[Reconciliation.key(order.payCode, order.payTransactionId)] =
                        byTransaction[Reconciliation.key(order.payCode, order.payTransactionId)] ?? key
                }
                byEnterprise[Reconciliation.key(order.enterprise, order.orderNo)] =
                    byEnterprise[Reconciliation.key(order.enterprise, order.orderNo)] ?? key
                byNumber[order.orderNo] = byNumber[order.orderNo] ?? key
            }
            for release in reconciliation.releases.values.sorted(by: { $0.ref.seq < $1.ref.seq }) {
                releases[Reconciliation.key(release.platform, release.orderNo), default: []].append(release)
                let parcel = Reconciliation.key(release.logisticsCode, release.logisticsNo)
                releaseByParcel[parcel] = releaseByParcel[parcel] ?? release
                if !release.invtNo.isEmpty { released.insert(release.invtNo) }
            }
            var payments: [String: [Reconciliation.PaymentFact]] = [:]
            for payment in reconciliation.payments.values.sorted(by: { $0.ref.seq < $1.ref.seq }) {
                guard let key = Self.orderKey(of: payment, reconciliation, byTransaction, byEnterprise) else { continue }
                payments[key, default: []].append(payment)
            }
            self.payments = payments
        }

        static func orderKey(
            of payment: Reconciliation.PaymentFact, _ reconciliation: Reconciliation, _ byTransaction: [String: String],
            _ byEnterprise: [String: String]
        ) -> String? {
            if !payment.payCode.isEmpty, !payment.transaction.isEmpty,
                let key = byTransaction[Reconciliation.key(payment.payCode, payment.transaction)]
            {
                return key
            }
            let own = Reconciliation.key(payment.platform, payment.orderNo)
            if !payment.platform.isEmpty, reconciliation.orders[own] != nil { return own }
            if !payment.enterprise.isEmpty { return byEnterprise[Reconciliation.key(payment.enterprise, payment.orderNo)] }
            return nil
        }

        /// The order a payment is for.
        func order(of payment: Reconciliation.PaymentFact) -> Reconciliation.OrderFact? {
            Self.orderKey(of: payment, reconciliation, byTransaction, byEnterprise).flatMap { reconciliation.orders[$0] }
        }

        /// A payment's enterprise: its order's, else its own `ebc_code` (export proceeds).
        func enterprise(of payment: Reconciliation.PaymentFact) -> String {
            order(of: payment)?.enterprise ?? payment.enterprise
        }

        /// The order a waybill is for: through its release, else its `order_no`.
        func order(of waybill: Reconciliation.WaybillFact) -> Reconciliation.OrderFact? {
            if let release = releaseByParcel[Reconciliation.key(waybill.logisticsCode, waybill.logisticsNo)],
                let order = reconciliation.orders[Reconciliation.key(release.platform, release.orderNo)]
            {
                return order
            }
            return waybill.orderNo.isEmpty ? nil : byNumber[waybill.orderNo].flatMap { reconciliation.orders[$0] }
        }

        /// A waybill's enterprise: its release's, else its order's, else its own (export shipper).
        func enterprise(of waybill: Reconciliation.WaybillFact) -> String {
            releaseByParcel[Reconciliation.key(waybill.logisticsCode, waybill.logisticsNo)]?.enterprise ?? order(of: waybill)?.enterprise
                ?? waybill.enterprise
        }
    }

    /// The discrepancies of every document, before the period and enterprise are chosen.
    struct Checks {
        let links: Links
        let settings: HubConfig.Reconcile
        /// CNY per unit of each currency that has a rate.
        let rates: [String: Decimal]
        let clockUs: Int64
        /// Each with the time it is counted on.
        var found: [(atUs: Int64, discrepancy: Discrepancy)] = []

        /// Whether a document journaled at `atUs` has waited out the grace.
        func overdue(_ atUs: Int64) -> Bool { atUs + settings.graceUs <= clockUs }

        mutating func note(
            _ kind: Kind, _ anchor: (atUs: Int64, enterprise: String), _ reason: String, _ documents: [Reconciliation.DocumentRef]
        ) {
            found.append(
                (
                    anchor.atUs,
                    Discrepancy(
                        kind: kind, enterprise: anchor.enterprise, day: TradeStatistics.day(anchor.atUs), reason: reason,
                        documents: documents)
                ))
        }

        mutating func run(_ reconciliation: Reconciliation) {
            for (key, releases) in links.releases.sorted(by: { $0.key < $1.key }) {
                guard let first = releases.first else { continue }
                trade(releases, first: first, order: reconciliation.orders[key], payments: links.payments[key] ?? [])
            }
            for payment in reconciliation.payments.values.sorted(by: { $0.ref.seq < $1.ref.seq }) where overdue(payment.atUs) {
                guard let order = links.order(of: payment) else {
                    note(
                        .paymentNoOrder, (payment.atUs, payment.enterprise),
                        "no order is paid by \(payment.ref.key) (nor by its order_no with the platform or enterprise)", [payment.ref])
                    continue
                }
                if links.releases[Reconciliation.key(order.platform, order.orderNo)] == nil {
                    note(
                        .paymentUnreleased, (payment.atUs, order.enterprise),
                        "paid \(payment.amount) \(payment.currency) for order \(order.orderNo), never released in \(settings.graceDays) days",
                        [payment.ref, order.ref])
                }
            }
            for waybill in reconciliation.waybills.values.sorted(by: { $0.ref.seq < $1.ref.seq }) where overdue(waybill.atUs) {
                guard links.releaseByParcel[Reconciliation.key(waybill.logisticsCode, waybill.logisticsNo)] == nil else { continue }
                let order = links.order(of: waybill)
                note(
                    .waybillUnreleased, (waybill.atUs, order?.enterprise ?? waybill.enterprise),
                    "parcel \(waybill.logisticsNo) shipped, no release names it in \(settings.graceDays) days",
                    [waybill.ref] + (order.map { [$0.ref] } ?? []))
            }
            for summary in reconciliation.summaries.values.sorted(by: { $0.ref.seq < $1.ref.seq }) {
                let missing = summary.invtNos.filter { !$0.isEmpty && !links.released.contains($0) }
                guard !missing.isEmpty else { continue }
                note(
                    .summaryUnreleased, (summary.atUs, summary.enterprise),
                    "the summary result covers inventories no release names: \(missing.joined(separator: ", "))", [summary.ref])
            }
        }

        /// One released trade: paid, paid what was declared, released what was ordered.
        mutating func trade(
            _ releases: [Reconciliation.ReleaseFact], first: Reconciliation.ReleaseFact, order: Reconciliation.OrderFact?,
            payments: [Reconciliation.PaymentFact]
        ) {
            let anchor = (first.atUs, first.enterprise)
            let releaseRefs = releases.map(\.ref)
            let orderRefs = order.map { [$0.ref] } ?? []
            var declared: [String: Decimal] = [:]
            for line in releases.flatMap(\.lines) {
                declared[line.currency, default: 0] += DeclarationMatcher.decimal(line.totalPrice) ?? 0
            }
            if let order, order.direction == "import" {
                // What the buyer owes beside the goods: the 三单对碰's actural_paid formula.
                let currency = order.currency.isEmpty ? first.currency : order.currency
                let extra = [order.freight, order.taxTotal].map { DeclarationMatcher.decimal($0) ?? 0 }.reduce(0, +)
                declared[currency, default: 0] += extra - (DeclarationMatcher.decimal(order.discount) ?? 0)
            }
            var paid: [String: Decimal] = [:]
            for payment in payments { paid[payment.currency, default: 0] += DeclarationMatcher.decimal(payment.amount) ?? 0 }
            if payments.isEmpty {
                if overdue(first.atUs) {
                    note(
                        .releasedUnpaid, anchor, "released \(Self.amounts(declared)), no payment in \(settings.graceDays) days",
                        releaseRefs + orderRefs)
                }
            } else {
                value(declared: declared, paid: paid, anchor: anchor, documents: releaseRefs + orderRefs + payments.map(\.ref))
            }
            if let order { quantities(releases, order: order, anchor: anchor, documents: releaseRefs + orderRefs) }
        }

        mutating func value(
            declared: [String: Decimal], paid: [String: Decimal], anchor: (Int64, String), documents: [Reconciliation.DocumentRef]
        ) {
            if declared.count == 1, declared == paid { return }
            let missing = Set(declared.keys).union(paid.keys).filter { rates[$0] == nil }.sorted()
            guard missing.isEmpty else {
                note(
                    .valueNotComparable, anchor,
                    "declared \(Self.amounts(declared)), paid \(Self.amounts(paid)): no rate for \(missing.joined(separator: ", ")) in statistics.cny_rates",
                    documents)
                return
            }
            func cny(_ values: [String: Decimal]) -> Decimal { values.reduce(0) { $0 + $1.value * (rates[$1.key] ?? 0) } }
            let (declaredCNY, paidCNY) = (cny(declared), cny(paid))
            let allowed = settings.absoluteTolerance + settings.relativeTolerance * abs(declaredCNY)
            let difference = abs(paidCNY - declaredCNY)
            // A shortfall may still be paid (export proceeds come in parts): it waits out the grace.
            guard difference > allowed, paidCNY > declaredCNY || overdue(anchor.0) else { return }
            note(
                .valueMismatch, anchor,
                "declared \(Self.amounts(declared)) = \(ReconciliationReport.fen(declaredCNY)) CNY, paid \(Self.amounts(paid)) = "
                    + "\(ReconciliationReport.fen(paidCNY)) CNY: \(ReconciliationReport.fen(difference)) CNY apart, "
                    + "\(ReconciliationReport.fen(allowed)) allowed", documents)
        }

        mutating func quantities(
            _ releases: [Reconciliation.ReleaseFact], order: Reconciliation.OrderFact, anchor: (Int64, String),
            documents: [Reconciliation.DocumentRef]
        ) {
            var released: [Int32: Decimal] = [:]
            for line in releases.flatMap(\.lines) { released[line.gnum, default: 0] += DeclarationMatcher.decimal(line.qty) ?? 0 }
            var ordered: [Int32: Decimal] = [:]
            for line in order.lines { ordered[line.gnum, default: 0] += DeclarationMatcher.decimal(line.qty) ?? 0 }
            var differences: [String] = []
            for gnum in Set(released.keys).union(ordered.keys).sorted() {
                switch (ordered[gnum], released[gnum]) {
                case (let want?, let got?) where want != got: differences.append("line \(gnum): ordered \(want), released \(got)")
                case (nil, let got?): differences.append("line \(gnum): released \(got), not in the order")
                case (let want?, nil): differences.append("line \(gnum): ordered \(want), not released")
                default: break
                }
            }
            guard !differences.isEmpty else { return }
            note(.quantityMismatch, anchor, differences.joined(separator: "; "), documents)
        }

        /// `12.50 142 + 3 502`: amounts by currency.
        static func amounts(_ values: [String: Decimal]) -> String {
            values.isEmpty ? "0" : values.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: " + ")
        }
    }
}
