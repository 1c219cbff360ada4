import Foundation
import HubProtocol

/// 风险防控 as the report counts it: every risk rule's hit (the hub's `risk.Notice`) and
/// where it stands, folded from the journal in seq order.
///
/// A hit is counted on the UTC day its notice was journaled, under its rule and enterprise
/// (`enterprise_code`), with its disposition: `notified` (a rule that only notifies), else
/// `open` while the hold waits, `released` or `refused` by a reviewer's `risk.Disposition`
/// (the journal holds only those the hub accepted: from a reviewer, on an open hold), or
/// `closed` when the declaration ended otherwise first (the hub's final feedback on its
/// inventory: withdrawn, or refused by another hit's review). Nothing personal is read: no
/// evidence, no names.
public struct RiskStatistics: Sendable, Equatable, Codable, JournalFold {
    /// One hit.
    public struct Hit: Sendable, Equatable, Codable {
        public var rule: String
        public var enterprise: String
        /// UTC day, `YYYY-MM-DD`.
        public var day: String
        /// `open`, `released`, `refused`, `notified` or `closed`.
        public var disposition: String
        /// The inventory's filer and id.
        var subject: String
    }

    /// The dispositions, in the report's order.
    public static let dispositions = ["open", "released", "refused", "notified", "closed"]

    /// Hits by notice id.
    public private(set) var hits: [String: Hit] = [:]
    /// Notice ids of open holds by subject (`filer:inventory id`).
    var open: [String: [String]] = [:]
    public private(set) var lastSeq: UInt64 = 0

    public init() {}

    public static let types: [String] = [
        MessageType.riskNotice.rawValue, MessageType.riskDisposition.rawValue, MessageType.feedback.rawValue,
    ]

    public mutating func fold(_ record: TradeStatistics.Record) {
        guard record.seq > lastSeq else { return }
        lastSeq = record.seq
        switch record.type {
        case MessageType.riskNotice.rawValue:
            guard record.sender == HubConfig.hubParty, let notice = try? BizRiskNotice(serializedBytes: record.body) else { return }
            let subject = "\(notice.subjectFiler):\(notice.subjectID)"
            let held = notice.disposition == .open
            hits[notice.noticeID] = Hit(
                rule: notice.rule, enterprise: notice.enterpriseCode, day: TradeStatistics.day(record.journaledAtUs),
                disposition: held ? "open" : "notified", subject: subject)
            if held { open[subject, default: []].append(notice.noticeID) }
        case MessageType.riskDisposition.rawValue:
            guard let disposition = try? BizRiskDisposition(serializedBytes: record.body), let hit = hits[disposition.noticeID],
                hit.disposition == "open"
            else { return }
            hits[disposition.noticeID]?.disposition = disposition.decision == .refuse ? "refused" : "released"
            open[hit.subject]?.removeAll { $0 == disposition.noticeID }
            if open[hit.subject]?.isEmpty == true { open[hit.subject] = nil }
        case MessageType.feedback.rawValue:
            guard record.sender == HubConfig.hubParty, !open.isEmpty, let feedback = try? BizFeedback(serializedBytes: record.body),
                feedback.final, feedback.subjectType == MessageType.inventory.rawValue,
                case .feedback(let subjectId, let subjectSender, _)? = HubMessageId(record.id),
                let ids = open.removeValue(forKey: "\(subjectSender):\(subjectId)")
            else { return }
            for id in ids { hits[id]?.disposition = "closed" }
        default:
            return
        }
    }

    /// Folds records in order.
    public mutating func fold(_ records: some Sequence<TradeStatistics.Record>) {
        for record in records { fold(record) }
    }

    /// The hits of one enterprise (`enterprise_code`) only, for a report about it.
    public func only(enterprise: String) -> RiskStatistics {
        var kept = self
        kept.hits = hits.filter { $0.value.enterprise == enterprise }
        return kept
    }

    /// Hits per rule and disposition in a period.
    public func counts(period: TradeReport.Period) -> [String: [String: Int]] {
        var counts: [String: [String: Int]] = [:]
        for hit in hits.values where period.contains(day: hit.day) {
            counts[hit.rule, default: [:]][hit.disposition, default: 0] += 1
        }
        return counts
    }
}
