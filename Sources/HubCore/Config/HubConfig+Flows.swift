import HubConfigKit

extension HubConfig {
    /// The business flows (PROTOCOL.md section 13): on when the config has `flows:`.
    public struct Flows: Sendable, Equatable {
        /// How long departments have to answer a registration, milliseconds.
        public var registrationDeadlineMs: Int64 = 86_400_000
        /// How long a department has to answer a relayed query, milliseconds.
        public var queryTimeoutMs: Int64 = 30_000
        /// Whether released export inventories are summarized once each UTC day is over.
        public var dailySummaries = true
        /// How long, in journal time, what a finished flow leaves behind is kept
        /// (`flows.keep_finished_hours`): the receipt keys of a finished declaration (a
        /// late receipt still finds it and changes nothing), release notices and summary
        /// results the hub answers queries about, summary bookkeeping. Milliseconds.
        public var keepFinishedMs: Int64 = 24 * 3_600_000
        /// Save the flows' state every this many flow messages read (`flows.snapshot_every`);
        /// 0: never by count.
        public var snapshotEvery = 50_000
        /// Save the flows' state at least this often, seconds, when flow messages were read
        /// meanwhile (`flows.snapshot_interval_s`); 0: never by time.
        public var snapshotIntervalSeconds = 300
        /// How long, in journal time, an inventory waits for its order, payment and waybill
        /// (`flows.declaration.link_timeout`) before its filers get the final feedback
        /// INCOMPLETE. Milliseconds.
        public var linkTimeoutMs: Int64 = 24 * 3_600_000
        /// Whether a released export inventory becomes a summary candidate only once a
        /// departure (离境, CEB509) lists its parcel (`flows.summary.require_departure`).
        public var requireDeparture = true
        /// How long, in journal time, the flows keep a released declaration's records after
        /// its release (`flows.declaration.after_release_days`): its parcel's history and,
        /// for an export, whether it departed (``ParcelLedger``); what a cancellation approved
        /// after the release or a return needs (``AfterReleaseBook``). Milliseconds.
        public var afterReleaseMs: Int64 = 90 * 86_400_000
        /// ``afterReleaseMs`` in days.
        public var afterReleaseDays: Int64 { afterReleaseMs / 86_400_000 }

        public init() {}
    }
}

extension HubConfig.Flows {
    /// The flows' settings of a config's `flows:` section, checked.
    /// - Throws: ``ConfigError`` for a value out of its range or a schedule that is not one.
    init(parsing rawFlows: RawConfig.Flows) throws {
        var parsed = HubConfig.Flows()
        parsed.registrationDeadlineMs = rawFlows.registrationDeadlineMs ?? parsed.registrationDeadlineMs
        parsed.queryTimeoutMs = rawFlows.queryTimeoutMs ?? parsed.queryTimeoutMs
        switch rawFlows.summarySchedule ?? "daily" {
        case "daily": parsed.dailySummaries = true
        case "none": parsed.dailySummaries = false
        case let other: throw ConfigError(.invalidValue, "flows.summary_schedule '\(other)' is not one of daily, none")
        }
        for (key, value) in [
            ("flows.registration_deadline_ms", parsed.registrationDeadlineMs), ("flows.query_timeout_ms", parsed.queryTimeoutMs),
        ]
        where !(1...(365 * 86_400_000)).contains(value) {
            throw ConfigError(.invalidValue, "\(key) = \(value) is outside 1...\(365 * 86_400_000)")
        }
        let keepHours = rawFlows.keepFinishedHours ?? 24
        guard (1...(10 * 365 * 24)).contains(keepHours) else {
            throw ConfigError(.invalidValue, "flows.keep_finished_hours = \(keepHours) is outside 1...\(10 * 365 * 24)")
        }
        parsed.keepFinishedMs = keepHours * 3_600_000
        parsed.snapshotEvery = rawFlows.snapshotEvery ?? parsed.snapshotEvery
        parsed.snapshotIntervalSeconds = rawFlows.snapshotIntervalS ?? parsed.snapshotIntervalSeconds
        for (key, value) in [
            ("flows.snapshot_every", parsed.snapshotEvery), ("flows.snapshot_interval_s", parsed.snapshotIntervalSeconds),
        ]
        where !(0...100_000_000).contains(value) {
            throw ConfigError(.invalidValue, "\(key) = \(value) is outside 0...100000000")
        }
        if let text = rawFlows.declaration?.linkTimeout {
            let us = try HubConfig.parseDuration(text, key: "flows.declaration.link_timeout")
            guard (1_000_000...(365 * 86_400_000_000)).contains(us) else {
                throw ConfigError(.invalidValue, "flows.declaration.link_timeout = '\(text)' is outside 1s...365d")
            }
            parsed.linkTimeoutMs = us / 1000
        }
        parsed.requireDeparture = rawFlows.summary?.requireDeparture ?? parsed.requireDeparture
        if let days = rawFlows.declaration?.afterReleaseDays {
            guard (1...3650).contains(days) else {
                throw ConfigError(.invalidValue, "flows.declaration.after_release_days = \(days) is outside 1...3650")
            }
            parsed.afterReleaseMs = days * 86_400_000
        }
        self = parsed
    }
}

extension RawConfig {
    /// The `flows:` section's YAML shape, before validation.
    struct Flows: Decodable {
        var registrationDeadlineMs: Int64?
        var queryTimeoutMs: Int64?
        var summarySchedule: String?
        var keepFinishedHours: Int64?
        var snapshotEvery: Int?
        var snapshotIntervalS: Int?
        var declaration: DeclarationFlows?
        var summary: SummaryFlows?

        struct DeclarationFlows: Decodable {
            var linkTimeout: String?
            var afterReleaseDays: Int64?

            enum CodingKeys: String, CodingKey {
                case linkTimeout = "link_timeout"
                case afterReleaseDays = "after_release_days"
            }
        }

        struct SummaryFlows: Decodable {
            var requireDeparture: Bool?

            enum CodingKeys: String, CodingKey {
                case requireDeparture = "require_departure"
            }
        }

        enum CodingKeys: String, CodingKey {
            case declaration
            case summary
            case registrationDeadlineMs = "registration_deadline_ms"
            case queryTimeoutMs = "query_timeout_ms"
            case summarySchedule = "summary_schedule"
            case keepFinishedHours = "keep_finished_hours"
            case snapshotEvery = "snapshot_every"
            case snapshotIntervalS = "snapshot_interval_s"
        }
    }
}
