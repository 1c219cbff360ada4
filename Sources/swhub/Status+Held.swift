import Foundation
import HubCore
import HubStore

/// `swhub status --held`: the declarations held for pre-review (集中预审核) whose holds no
/// reviewer has decided yet, the longest-held first, so that an operator can chase them
/// (a hold has no deadline: it waits for its reviewers).
extension Status {
    static func held(config: HubConfig, inspector: JournalInspector, json: Bool) throws {
        guard config.flows != nil else {
            throw CommandFailure(.configuration, "the config has no flows: section; the hub holds no declaration")
        }
        // Without rules the flows open no hold: no need to rebuild them from the whole journal.
        guard config.risk.isOn else {
            if !json { Output.line("no risk: section in the config: the hub holds no declaration for pre-review") }
            return
        }
        let holds = try rebuiltFlows(config: config, inspector: inspector).openRiskHolds
        if json {
            for (noticeId, hold) in holds {
                var object: [String: Any] = [
                    "notice_id": noticeId, "rule": hold.rule, "inventory_id": hold.subject.id, "inventory_filer": hold.subject.sender,
                    "reviewers": hold.reviewers,
                ]
                if let opened = hold.openedAtUs { object["held_since_us"] = opened }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                Output.line(String(decoding: data, as: UTF8.self))
            }
            return
        }
        Output.line("holds waiting for a reviewer (集中预审核): \(holds.count)")
        let nowUs = Int64(Date().timeIntervalSince1970 * 1_000_000)
        for (noticeId, hold) in holds {
            var line = "  \(noticeId)  rule \(hold.rule)  inventory \(hold.subject.id) by \(hold.subject.sender)"
            line += "  reviewers \(hold.reviewers.joined(separator: ", "))"
            if let opened = hold.openedAtUs {
                line += "  held since \(time(opened)) (\(Self.age(nowUs - opened)))"
            }
            Output.line(line)
        }
    }

    /// A duration in whole days, hours or minutes.
    static func age(_ us: Int64) -> String {
        let minutes = max(0, us / 60_000_000)
        if minutes >= 2 * 24 * 60 { return "\(minutes / (24 * 60)) days" }
        if minutes >= 120 { return "\(minutes / 60) hours" }
        return "\(minutes) min"
    }
}
