import HubProtocol

/// What the flows keep about inventories after their release, by `invt_no`, for
/// cancellations approved after the release and returns (FlowEngine+AfterRelease.swift),
/// and the cancellations and returns waiting for customs' answer. A released declaration
/// leaves ``FlowEngine/declarations``; its record stays here for
/// `flows.declaration.after_release_days` of journal time (``HubConfig/Flows/afterReleaseDays``).
struct AfterReleaseBook: Sendable, Codable {
    /// A released inventory (or one withdrawn before its release, kept so that a second
    /// cancellation hears it is withdrawn already), as compact as what its later
    /// cancellation or returns read.
    struct Record: Sendable, Codable, Equatable {
        /// The declaration's inventory (filer and id).
        var declaration: FlowKey
        /// Every party that filed one of the declaration's four documents.
        var filers: [String]
        /// Who got the release notice (empty: withdrawn before the release).
        var recipients: [String]
        /// The payment's and the waybill's filers (the return notice goes to the first).
        var paymentFiler: String
        var waybillFiler: String
        var releaseNoticeId: String
        var ieFlag: String
        var copNo: String
        var orderNo: String
        var ebpCode: String
        var ebcCode: String
        var logisticsNo: String
        var payTransactionId: String
        var currency: String
        /// The lines as released, with what remains of them after approved returns.
        var lines: [Line]
        var releasedAtUs: Int64
        /// Why and by what the inventory was withdrawn (nil while it stands).
        var withdrawal: String?
        /// The summary declaration it went into (export), nil before.
        var summaryId: String?
        /// The refund tax accepted for it (`tax.RefundResult`), nil before.
        var refundedAmount: String?

        // Short keys: a snapshot holds one record per inventory released in
        // after_release_days (a day of a busy hub's is tens of thousands).
        enum CodingKeys: String, CodingKey {
            case declaration = "d", filers = "f", recipients = "r", paymentFiler = "pf", waybillFiler = "wf"
            case releaseNoticeId = "rn", ieFlag = "ie", copNo = "cn", orderNo = "on", ebpCode = "ep", ebcCode = "ec"
            case logisticsNo = "ln", payTransactionId = "pt", currency = "cu", lines = "l", releasedAtUs = "at"
            case withdrawal = "w", summaryId = "s", refundedAmount = "ra"
        }

        /// Whether anything was released (false: withdrawn before its release).
        var wasReleased: Bool { !releaseNoticeId.isEmpty }

        /// Whether nothing of it remains released.
        var fullyReturned: Bool { !lines.isEmpty && lines.allSatisfy { ReturnAmounts.isZero($0.remainingQty) } }
    }

    /// One released goods line.
    struct Line: Sendable, Codable, Equatable {
        var gnum: Int32
        var gcode: String
        var gname: String
        var unit: String
        /// As released: decimal strings.
        var qty: String
        var totalPrice: String
        /// What stays released after approved returns: decimal strings.
        var remainingQty: String
        var remainingAmount: String

        enum CodingKeys: String, CodingKey {
            case gnum = "n", gcode = "c", gname = "g", unit = "u", qty = "q", totalPrice = "t", remainingQty = "rq"
            case remainingAmount = "ra"
        }
    }

    /// A cancellation or return filed and not yet answered by customs.
    struct Request: Sendable, Codable, Equatable {
        enum Kind: String, Sendable, Codable {
            case cancellation, returnRequest
        }

        var kind: Kind
        /// The journal seq it was filed at (orders the matching of receipts without ids).
        var seq: UInt64
        var invtNo: String
        /// The enterprise's own number for it (cancellation `cop_no`, return `co_el_no` or
        /// `cop_no`), which customs' receipts repeat.
        var copNo: String
        var reason: String
        /// A return's lines: gnum and quantity (decimal strings).
        var returned: [ReturnedLine]
        /// Customs' latest status of it (0 before any receipt), its text and errors.
        var status: Int32 = 0
        var info = ""
        var errors: [String] = []
        var updatedAtUs: Int64
        /// Before the release the declaration was withdrawn at once: customs' answer decides
        /// only the request's own feedback.
        var withdrewAtOnce = false
    }

    /// A returned line as filed.
    struct ReturnedLine: Sendable, Codable, Equatable {
        var gnum: Int32
        var qty: String
    }

    /// Released (and withdrawn-before-release) inventories by `invt_no`.
    var records: [String: Record] = [:]
    /// The numbers in the order their records were made, with the journal time: the oldest
    /// go after `after_release_days`.
    var ages = AgingQueue<String>()
    /// Cancellations and returns waiting for customs, by filing.
    var requests: [FlowKey: Request] = [:]

    /// The pending request a receipt answers: by `correlation_id` (the filing's id; among
    /// filings of several senders with that id, the one the receipt is addressed to), else
    /// by its kind and `invt_no` (and the enterprise's number when the receipt carries one),
    /// the earliest filed first.
    func request(answeredBy receipt: BizReceipt, kind: Request.Kind, correlationId: String, recipients: [String]) -> FlowKey? {
        let candidates = requests.filter { $0.value.kind == kind }
        if !correlationId.isEmpty {
            let named = candidates.filter { $0.key.id == correlationId }
            if let key = named.keys.sorted(by: { ($0.sender, $0.id) < ($1.sender, $1.id) }).first(where: { recipients.contains($0.sender) })
                ?? named.keys.min(by: { ($0.sender, $0.id) < ($1.sender, $1.id) })
            {
                return key
            }
        }
        let copNo = receipt.copNo.isEmpty ? receipt.coElNo : receipt.copNo
        return
            candidates
            .filter { entry in
                !receipt.invtNo.isEmpty && entry.value.invtNo == receipt.invtNo
                    && (copNo.isEmpty || entry.value.copNo.isEmpty || entry.value.copNo == copNo)
            }
            .min { $0.value.seq < $1.value.seq }?.key
    }

    /// Adds (or replaces) the record of `invtNo`, made at `atUs`.
    mutating func keep(_ record: Record, invtNo: String, atUs: Int64) {
        ages.append(invtNo, atUs: atUs)
        records[invtNo] = record
    }

    /// Drops the records made before `cutoffUs` (a record made again since stays: its
    /// number is in the queue again, with the later time).
    mutating func dropOlder(than cutoffUs: Int64) {
        guard let oldest = ages.oldestUs, oldest < cutoffUs else { return }
        for number in ages.dropOlder(than: cutoffUs) {
            guard let record = records[number] else { continue }
            if record.releasedAtUs < cutoffUs { records[number] = nil }
        }
    }
}
