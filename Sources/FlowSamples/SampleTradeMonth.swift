import Foundation
import HubProtocol

/// A month of cross-border filings as the journal holds them, for trade statistics: each
/// filer's inventory, the hub's forward of it to customs, and its end (the hub's release
/// notice and accepted feedback, a refused feedback, or still pending), over the month's days
/// in time order. Trade modes, directions, countries, currencies, HS codes, enterprises and
/// platforms vary; the same seed gives the same month.
public struct SampleTradeMonth: Sendable {
    /// How a filing ends.
    public enum Fate: Sendable, CaseIterable {
        case released, refused, pending
    }

    /// One filed inventory and its end.
    public struct Filing: Sendable {
        /// The filer's party id and the inventory's message id.
        public var filer: String
        public var id: String
        public var inventory: BizInventory
        public var fate: Fate
        /// When it was filed, and when it ended (released or refused), microseconds.
        public var filedAtUs: Int64
        public var endedAtUs: Int64
        /// A refused filing's reasons as the statistics keep them (``refusals``): the rule
        /// names or the customs status its refused feedback carries; empty otherwise.
        public var refusalCodes: [String] = []
        /// What came after (months made with `afterRelease`), and when, microseconds.
        public var later: Later?
        public var laterAtUs: Int64 = 0
    }

    /// What happens to a filing after its end, in a month made with `afterRelease`.
    public enum Later: Sendable, Equatable {
        /// A pending filing withdrawn before its release (final feedback WITHDRAWN).
        case withdrawnUnreleased
        /// A released inventory withdrawn by customs' approved cancellation (flow.WithdrawalNotice).
        case withdrawn
        /// The first line of a released inventory returned whole (flow.ReturnNotice).
        case returnedFirstLine
    }

    /// The refusals the month's refused filings get in turn: the feedback's reasons (the
    /// hub's text, with personal data in it as the real text can have), customs' status of
    /// the inventory, and the codes the statistics keep.
    public static let refusals: [(reasons: [String], customsStatus: String, codes: [String])] = [
        ([], "100", ["CUSTOMS_100"]),
        (["PAYMENT_AMOUNT [payment.amount_paid, order.actural_paid]: 120.00 ≠ 130.00"], "not forwarded", ["PAYMENT_AMOUNT"]),
        (
            [
                "CONSIGNEE [order.consignee, waybill.consignee]: 张三 ≠ 李四",
                "WAYBILL_LINK [waybill.logistics_no]: no waybill LN001 from 13800000000",
            ], "not forwarded", ["CONSIGNEE", "WAYBILL_LINK"]
        ),
        ([], "700", ["CUSTOMS_700"]),
        (["flagged: enterprise 91110000000000001X is blacklisted"], "100", ["CREDIT_FLAG", "CUSTOMS_100"]),
    ]

    /// One journal record: type, sender, id, time, body.
    public struct Record: Sendable {
        public var type: String
        public var sender: String
        public var id: String
        public var recipients: [String]
        public var journaledAtUs: Int64
        public var body: [UInt8]
    }

    public var filings: [Filing] = []
    /// Every record, in journal (time) order.
    public var records: [Record] = []

    /// Currencies the month's filings are declared in (customs codes: CNY, USD, EUR, JPY).
    public static let currencies = ["142", "502", "300", "116"]
    /// The carrier of every parcel (`logistics_code`).
    public static let logisticsCode = "3101L00001"
    /// HS codes of the goods.
    public static let hsCodes = ["1901101000", "3304990099", "6109100021", "8517120000", "0402210000"]

    /// - Parameters:
    ///   - count: Filings in the month.
    ///   - startUs: The month's first instant (UTC), microseconds; filings spread over 30 days,
    ///     and a release can fall on the next month's first day.
    ///   - seed: The random sequence.
    ///   - afterRelease: Also cancellations and returns (``Later``): every fifth pending
    ///     filing withdrawn before its release, released ones by turns withdrawn or their
    ///     first line returned; the rest of the month is the same as without.
    public init(count: Int, startUs: Int64, seed: UInt64, afterRelease: Bool = false) {
        var random = SplitMix(state: seed)
        let modes: [(mode: String, ie: String)] = [("9610", "I"), ("1210", "I"), ("9610", "E"), ("9710", "E"), ("9810", "E")]
        let countries = ["116", "502", "303", "110", "133"]
        let day: Int64 = 86_400_000_000
        var timed: [(at: Int64, order: Int, record: Record)] = []
        for n in 0..<count {
            let (mode, ie) = modes[random.next(modes.count)]
            let enterprise = random.next(4)
            let filer = "ebc\(enterprise + 1)"
            let currency = Self.currencies[random.next(Self.currencies.count)]
            var inventory = BizInventory()
            inventory.copNo = String(format: "cop%06d", n)
            inventory.orderNo = String(format: "order%06d", n)
            inventory.ieFlag = ie
            inventory.tradeMode = mode
            inventory.country = countries[random.next(countries.count)]
            inventory.ebcCode = String(format: "1101E%05d", enterprise + 1)
            inventory.ebpCode = String(format: "1101P%05d", random.next(3) + 1)
            inventory.currency = currency
            // The parcel, for the reconciliation's waybills (no random draw: the month stays the same).
            inventory.logisticsCode = Self.logisticsCode
            inventory.logisticsNo = String(format: "LN%06d", n)
            inventory.inventoryList = (0..<(random.next(3) + 1)).map { index in
                var item = BizInventoryItem()
                item.gnum = Int32(index + 1)
                item.gcode = Self.hsCodes[random.next(Self.hsCodes.count)]
                // Some lines leave the currency to the inventory's.
                item.currency = random.next(4) == 0 ? "" : currency
                item.qty = "\(random.next(5) + 1)"
                item.totalPrice = "\(random.next(50_000) + 1).\(String(format: "%02d", random.next(100)))"
                return item
            }
            let filedAtUs = startUs + Int64(random.next(30)) * day + Int64(random.next(86_000)) * 1_000_000
            let fate = Fate.allCases[random.next(10) < 6 ? 0 : random.next(10) < 6 ? 1 : 2]
            let endedAtUs = filedAtUs + Int64(random.next(36)) * 3_600_000_000 + 1_000_000
            let id = String(format: "inv-%06d", n)
            let refusal = Self.refusals[n % Self.refusals.count]
            filings.append(
                Filing(
                    filer: filer, id: id, inventory: inventory, fate: fate, filedAtUs: filedAtUs, endedAtUs: endedAtUs,
                    refusalCodes: fate == .refused ? refusal.codes : []))
            let body = try? inventory.serializedBytes() as [UInt8]
            timed.append(
                (
                    filedAtUs, 0,
                    Record(type: "ceb.Inventory", sender: filer, id: id, recipients: ["hub"], journaledAtUs: filedAtUs, body: body ?? [])
                ))
            switch fate {
            case .released:
                timed.append(
                    (
                        filedAtUs + 1, 1,
                        Record(
                            type: "ceb.Inventory", sender: "hub",
                            id: HubMessageId.forward(filer: filer, inventoryId: id, document: .inventory).description,
                            recipients: ["customs"],
                            journaledAtUs: filedAtUs + 1, body: body ?? [])
                    ))
                var notice = BizReleaseNotice()
                notice.copNo = inventory.copNo
                notice.invtNo = String(format: "INV%06d", n)
                notice.orderNo = inventory.orderNo
                notice.logisticsCode = inventory.logisticsCode
                notice.logisticsNo = inventory.logisticsNo
                notice.ieFlag = ie
                notice.tradeMode = mode
                notice.country = inventory.country
                notice.ebcCode = inventory.ebcCode
                notice.ebpCode = inventory.ebpCode
                notice.currency = currency
                notice.inventoryList = inventory.inventoryList
                notice.returnStatus = 800
                timed.append(
                    (
                        endedAtUs, 2,
                        Record(
                            type: "flow.ReleaseNotice", sender: "hub",
                            id: HubMessageId.releaseNotice(filer: filer, inventoryId: id).description, recipients: ["tax"],
                            journaledAtUs: endedAtUs, body: (try? notice.serializedBytes()) ?? [])
                    ))
                timed.append(
                    (endedAtUs + 1, 3, Self.feedback(filer: filer, id: id, number: 1, state: .accepted, final: true, at: endedAtUs + 1)))
            case .refused:
                timed.append(
                    (
                        endedAtUs, 2,
                        Self.feedback(
                            filer: filer, id: id, number: 1, state: .refused, final: true, at: endedAtUs, reasons: refusal.reasons,
                            customsStatus: refusal.customsStatus)
                    ))
            case .pending:
                timed.append(
                    (filedAtUs + 2, 2, Self.feedback(filer: filer, id: id, number: 1, state: .pending, final: false, at: filedAtUs + 2)))
            }
            if afterRelease, let later = Self.later(n, fate) {
                let at = (fate == .pending ? filedAtUs : endedAtUs) + Int64(n % 5 + 1) * day / 2 + 3
                filings[filings.count - 1].later = later
                filings[filings.count - 1].laterAtUs = at
                timed.append(
                    (at, 4, Self.laterRecord(later, filer: filer, id: id, invtNo: String(format: "INV%06d", n), inventory, at: at)))
            }
        }
        records = timed.sorted { ($0.at, $0.order) < ($1.at, $1.order) }.map(\.record)
    }

    /// What comes after filing `n` of a fate, in a month with `afterRelease`.
    static func later(_ n: Int, _ fate: Fate) -> Later? {
        switch fate {
        case .pending: n % 5 == 0 ? .withdrawnUnreleased : nil
        case .released: n % 6 == 1 ? .withdrawn : n % 6 == 4 ? .returnedFirstLine : nil
        case .refused: nil
        }
    }

    static func laterRecord(_ later: Later, filer: String, id: String, invtNo: String, _ inventory: BizInventory, at: Int64) -> Record {
        let releaseId = HubMessageId.releaseNotice(filer: filer, inventoryId: id).description
        switch later {
        case .withdrawnUnreleased:
            var record = feedback(
                filer: filer, id: id, number: 2, state: .withdrawn, final: true, at: at,
                reasons: ["WITHDRAWN: by the cancellation cnl-\(id) of \(filer) before the release"])
            record.recipients = [filer]
            return record
        case .withdrawn:
            var notice = BizWithdrawalNotice()
            notice.invtNo = invtNo
            notice.ebcCode = inventory.ebcCode
            notice.ebpCode = inventory.ebpCode
            notice.ieFlag = inventory.ieFlag
            notice.releaseNoticeID = releaseId
            notice.totalPrice = Self.sum(inventory.inventoryList.map(\.totalPrice))
            notice.currency = inventory.currency
            notice.returnStatus = 399
            notice.approvedAtUs = at
            return Record(
                type: "flow.WithdrawalNotice", sender: "hub",
                id: HubMessageId.withdrawalNotice(filer: filer, cancellationId: "cnl-\(id)").description, recipients: ["tax"],
                journaledAtUs: at, body: (try? notice.serializedBytes()) ?? [])
        case .returnedFirstLine:
            let line = inventory.inventoryList[0]
            var item = BizReturnNoticeItem()
            item.gnum = line.gnum
            item.gcode = line.gcode
            item.qty = line.qty
            item.releasedQty = line.qty
            item.releasedTotalPrice = line.totalPrice
            item.amount = line.totalPrice
            item.remainingQty = "0"
            item.remainingAmount = "0.00"
            var notice = BizReturnNotice()
            notice.invtNo = invtNo
            notice.ebcCode = inventory.ebcCode
            notice.ebpCode = inventory.ebpCode
            notice.ieFlag = inventory.ieFlag
            notice.items = [item]
            notice.totalAmount = line.totalPrice
            notice.currency = inventory.currency
            notice.releaseNoticeID = releaseId
            notice.fullyReturned = inventory.inventoryList.count == 1
            notice.returnStatus = inventory.ieFlag == "I" ? 800 : 399
            notice.approvedAtUs = at
            return Record(
                type: "flow.ReturnNotice", sender: "hub",
                id: HubMessageId.returnNotice(filer: filer, returnId: "rtn-\(id)").description, recipients: ["tax"],
                journaledAtUs: at, body: (try? notice.serializedBytes()) ?? [])
        }
    }

    /// The sum of amounts with two decimals (the month's prices all have two), as two decimals.
    static func sum(_ amounts: [String]) -> String {
        let cents = amounts.reduce(0) { total, text in
            let parts = text.split(separator: ".")
            return total + (Int(parts[0]) ?? 0) * 100 + (parts.count > 1 ? Int(parts[1]) ?? 0 : 0)
        }
        return "\(cents / 100).\(String(format: "%02d", cents % 100))"
    }

    static func feedback(
        filer: String, id: String, number: Int, state: BizFeedbackState, final: Bool, at: Int64, reasons: [String] = [],
        customsStatus: String = ""
    ) -> Record {
        var feedback = BizFeedback()
        feedback.subjectType = "ceb.Inventory"
        feedback.subjectID = id
        feedback.state = state
        feedback.reasons = reasons
        if !customsStatus.isEmpty {
            var department = BizDepartmentStatus()
            department.department = "customs"
            department.status = customsStatus
            department.decision = .refused
            department.updatedAtUs = at
            feedback.departments = [department]
        }
        feedback.final = final
        feedback.updatedAtUs = at
        return Record(
            type: "flow.Feedback", sender: "hub",
            id: HubMessageId.feedback(subjectId: id, subjectSender: filer, number: number).description, recipients: [filer],
            journaledAtUs: at,
            body: (try? feedback.serializedBytes()) ?? [])
    }

    /// SplitMix64: a small reproducible random sequence.
    struct SplitMix {
        var state: UInt64

        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Int(z % UInt64(bound))
        }
    }
}
