import Foundation
import HubProtocol

/// The outcomes after a release: `cancelled` (the hub's `flow.WithdrawalNotice`, customs
/// approved the cancellation of a released inventory) and `returned` (the hub's
/// `flow.ReturnNotice`, customs approved the return of some of its goods).
///
/// The notices name the inventory's direction, enterprise and platform but not its trade
/// mode or country: those are kept from its release notice (``released``, by the release
/// notice's id) until the inventory is withdrawn or wholly returned, or for
/// ``releasedKeptDays`` after the release. A notice for a release no longer kept counts under
/// an empty mode and country.
///
/// A withdrawal counts one declaration with the value the release still covered (its
/// `total_price`); it names no lines, so it is not in the statistics by HS chapter. A return
/// counts one declaration with the amounts reversed (`total_amount`), and each returned line
/// under its HS chapter with its amount.
extension TradeStatistics {
    /// What the statistics keep of a release for the notices that may follow it.
    struct Released: Sendable, Equatable, Codable {
        var mode: String
        var country: String
        var enterprise: String
        /// The release's UTC day, `YYYY-MM-DD`.
        var day: String
    }

    /// How long a release is kept for its withdrawal or return notices: longer than customs
    /// takes for either (flows.declaration.after_release_days bounds the flows' own wait).
    public static let releasedKeptDays = 400

    /// Whether the release notice `id` (`rel:...`) is kept for later notices.
    public func keepsRelease(_ id: String) -> Bool { released[id] != nil }

    /// Declarations filed and still awaiting their outcome.
    public var awaiting: Int { pending.count }

    /// A feedback WITHDRAWN because a changed inventory (app_type 2) replaced the one it is
    /// about: the declaration goes on with the replacement, nothing was cancelled
    /// (FlowEngine+AppType.swift writes this reason).
    static func replaced(_ feedback: BizFeedback) -> Bool {
        feedback.reasons.contains { $0.hasPrefix("WITHDRAWN: replaced by") }
    }

    /// A release notice was folded: keep what its later notices do not carry.
    mutating func noteRelease(_ record: Record, _ filed: Pending) {
        let day = Self.day(record.journaledAtUs)
        if releasedPrunedDay != day {
            // Once per new day: drop the releases kept long enough.
            let limit = Self.day(record.journaledAtUs - Int64(Self.releasedKeptDays) * 86_400_000_000)
            released = released.filter { $0.value.day >= limit }
            releasedPrunedDay = day
        }
        released[record.id] = Released(mode: filed.mode, country: filed.country, enterprise: filed.enterprise, day: day)
    }

    mutating func withdrawn(_ notice: BizWithdrawalNotice, atUs: Int64) {
        let kept = released.removeValue(forKey: notice.releaseNoticeID)
        var filed = afterRelease(ieFlag: notice.ieFlag, enterprise: notice.ebcCode, platform: notice.ebpCode, kept: kept)
        filed.values[notice.currency] = Totals(count: 0, value: DeclarationMatcher.decimal(notice.totalPrice) ?? 0)
        add(filed, outcome: .cancelled, atUs: atUs)
    }

    mutating func returned(_ notice: BizReturnNotice, atUs: Int64) {
        let kept = released[notice.releaseNoticeID]
        if notice.fullyReturned { released[notice.releaseNoticeID] = nil }
        var filed = afterRelease(ieFlag: notice.ieFlag, enterprise: notice.ebcCode, platform: notice.ebpCode, kept: kept)
        filed.values[notice.currency] = Totals(count: 0, value: DeclarationMatcher.decimal(notice.totalAmount) ?? 0)
        for item in notice.items {
            let chapter = String(item.gcode.prefix(2))
            filed.chapters[chapter, default: [:]][notice.currency, default: Totals()].count += 1
            filed.chapters[chapter, default: [:]][notice.currency, default: Totals()].value += DeclarationMatcher.decimal(item.amount) ?? 0
        }
        add(filed, outcome: .returned, atUs: atUs)
    }

    func afterRelease(ieFlag: String, enterprise: String, platform: String, kept: Released?) -> Pending {
        Pending(
            direction: ieFlag == "I" ? "import" : ieFlag == "E" ? "export" : ieFlag, mode: kept?.mode ?? "",
            country: kept?.country ?? "", enterprise: enterprise, platform: platform, values: [:], chapters: [:])
    }
}
