import Foundation
import HubConfigKit

extension HubConfig {
    /// Archiving of old journal ranges into compressed segment files (`archive:` in the
    /// config), and how long each message type is kept (`retention:`). Either store (on
    /// PostgreSQL, every hub node of a cluster shares `dir`).
    public struct Archive: Sendable, Equatable {
        /// The folder of the segment files (absolute once parsed).
        public var directory: String
        /// How long a record stays in the live journal at least, microseconds: only records
        /// journaled longer ago than this are sealed into segments.
        public var liveForUs: Int64
        /// Records per segment: a segment is sealed once that many records are archivable.
        public var segmentRecords: Int
        /// How often the hub looks for a range to seal and for segments past retention, seconds.
        public var checkEverySeconds: Double
        /// How long each type is kept (``Retention``).
        public var retention: Retention

        /// Creates the settings.
        public init(
            directory: String, liveForUs: Int64 = 30 * 86_400_000_000, segmentRecords: Int = 100_000,
            checkEverySeconds: Double = 3600, retention: Retention = Retention(rules: [])
        ) {
            self.directory = directory
            self.liveForUs = liveForUs
            self.segmentRecords = segmentRecords
            self.checkEverySeconds = checkEverySeconds
            self.retention = retention
        }
    }

    /// Retention periods by message type: a pattern is a type name, a prefix ending in `*`
    /// (`ceb.*`), or `*` alone; the longest matching pattern wins. A type no pattern matches
    /// is kept forever.
    public struct Retention: Sendable, Equatable {
        /// One pattern and its period.
        public struct Rule: Sendable, Equatable {
            /// `flow.Feedback`, `ceb.*` or `*`.
            public var pattern: String
            /// The period, microseconds.
            public var periodUs: Int64

            public init(pattern: String, periodUs: Int64) {
                self.pattern = pattern
                self.periodUs = periodUs
            }

            /// Whether the pattern covers `type`.
            public func matches(_ type: String) -> Bool {
                pattern.hasSuffix("*") ? type.hasPrefix(pattern.dropLast()) : type == pattern
            }
        }

        /// The rules, longest pattern first.
        public var rules: [Rule]

        public init(rules: [Rule]) {
            self.rules = rules.sorted { ($0.pattern.count, $0.pattern) > ($1.pattern.count, $1.pattern) }
        }

        /// The period of `type`, microseconds; nil: kept forever.
        public func periodUs(of type: String) -> Int64? {
            rules.first { $0.matches(type) }?.periodUs
        }
    }

    /// `archive:` as written in the YAML.
    struct RawArchive: Decodable {
        var dir: String
        var liveFor: String?
        var segmentRecords: Int?
        var checkEvery: String?

        enum CodingKeys: String, CodingKey {
            case dir
            case liveFor = "live_for"
            case segmentRecords = "segment_records"
            case checkEvery = "check_every"
        }
    }

    /// The archive settings a config names, nil without `archive:`; `retention:` needs `archive:`.
    static func parseArchive(
        _ raw: RawArchive?, retention: [String: String]?, store: Store, resolve: (String) -> String
    ) throws -> Archive? {
        guard let raw else {
            if retention != nil {
                throw ConfigError(.invalidValue, "retention: needs archive: (records leave the live journal only into archive segments)")
            }
            return nil
        }
        guard !raw.dir.isEmpty else { throw ConfigError(.invalidValue, "archive.dir is empty") }
        var archive = Archive(directory: resolve(raw.dir))
        if let text = raw.liveFor {
            archive.liveForUs = try parseDuration(text, key: "archive.live_for")
        }
        if let records = raw.segmentRecords {
            guard (1...10_000_000).contains(records) else {
                throw ConfigError(.invalidValue, "archive.segment_records = \(records) is outside 1...10000000")
            }
            archive.segmentRecords = records
        }
        if let text = raw.checkEvery {
            let us = try parseDuration(text, key: "archive.check_every")
            guard us >= 1_000_000 else { throw ConfigError(.invalidValue, "archive.check_every '\(text)' is shorter than 1s") }
            archive.checkEverySeconds = Double(us) / 1_000_000
        }
        var rules: [Retention.Rule] = []
        for (pattern, text) in retention ?? [:] {
            let key = "retention.\(pattern)"
            let name = pattern.hasSuffix("*") ? String(pattern.dropLast()) : pattern
            guard pattern == "*" || (isValidName(name, max: 128) && !name.contains("*")) else {
                throw ConfigError(.invalidValue, "\(key): '\(pattern)' is not a type name, a prefix ending in * (ceb.*), or *")
            }
            let period = try parseDuration(text, key: key)
            guard period > 0 else { throw ConfigError(.invalidValue, "\(key) = '\(text)' must be longer than 0") }
            rules.append(Retention.Rule(pattern: pattern, periodUs: period))
        }
        archive.retention = Retention(rules: rules)
        return archive
    }

    /// `30d`, `3y`, `12h`, `90m`, `45s` as microseconds (`y` is 365 days).
    static func parseDuration(_ text: String, key: String) throws -> Int64 {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "y": 365 * 86_400]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let unit = trimmed.last, let seconds = units[unit], let count = Int64(trimmed.dropLast()), count >= 0,
            count <= 1000 * 365 * 86_400 / seconds
        else {
            throw ConfigError(.invalidValue, "\(key) = '\(text)' is not a duration (a whole number then s, m, h, d or y: 30d, 3y)")
        }
        return count * seconds * 1_000_000
    }
}
