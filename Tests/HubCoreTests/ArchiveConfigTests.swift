import HubConfigKit
import HubCore
import Testing

/// `archive:` and `retention:` in the hub config: defaults, durations, patterns, and every
/// refusal naming its key; either store takes them.
@Suite("HubConfig archive and retention sections")
struct ArchiveConfigTests {
    static func parse(_ sections: String, postgres: Bool = false) throws -> HubConfig {
        let store = postgres ? "store:\n  kind: postgres\n  hosts: [h]\n  database: d\n  user: u\n" : ""
        return try HubConfigTests.parse(
            store + StoreConfigTests.hubLines + (postgres ? "" : "  journal: j.sqlite\n") + StoreConfigTests.rest + sections)
    }

    @Test func archiveAndRetentionAreParsed() throws {
        let config = try Self.parse(
            """
            archive: {dir: var/archive, live_for: 30d, segment_records: 5000, check_every: 1h}
            retention: {"ceb.*": 3y, "flow.Feedback": 180d, "*": 5y}

            """)
        let archive = try #require(config.archive)
        #expect(archive.directory == "/etc/swhub/var/archive")
        #expect(archive.liveForUs == 30 * 86_400_000_000)
        #expect(archive.segmentRecords == 5000)
        #expect(archive.checkEverySeconds == 3600)
        let day: Int64 = 86_400_000_000
        #expect(archive.retention.periodUs(of: "ceb.Order") == 3 * 365 * day)
        #expect(archive.retention.periodUs(of: "flow.Feedback") == 180 * day)
        #expect(archive.retention.periodUs(of: "demo.Note") == 5 * 365 * day)
    }

    @Test func defaultsAndNoArchive() throws {
        #expect(try Self.parse("").archive == nil)
        let archive = try #require(try Self.parse("archive: {dir: a}\n").archive)
        #expect(archive.segmentRecords == 100_000 && archive.liveForUs == 30 * 86_400_000_000 && archive.retention.rules.isEmpty)
    }

    @Test(arguments: [
        ("archive: {dir: a, live_for: 30}\n", "archive.live_for = '30' is not a duration"),
        ("archive: {dir: a, live_for: 3w}\n", "archive.live_for = '3w' is not a duration"),
        ("archive: {dir: a, segment_records: 0}\n", "archive.segment_records = 0 is outside"),
        ("archive: {dir: a, check_every: 0s}\n", "archive.check_every '0s' is shorter than 1s"),
        ("archive: {dir: a}\nretention: {\"ceb.*\": 3 years}\n", "retention.ceb.* = '3 years' is not a duration"),
        ("archive: {dir: a}\nretention: {\"c*b\": 3y}\n", "retention.c*b"),
        ("archive: {dir: a}\nretention: {x: 0d}\n", "retention.x = '0d' must be longer than 0"),
        ("retention: {x: 1d}\n", "retention: needs archive:"),
        ("archive: {dir: a, keep: 1}\n", "keep"),
    ])
    func badSectionsAreRefusedWithTheirKey(yaml: String, reason: String) throws {
        let error = #expect(throws: ConfigError.self) { try Self.parse(yaml) }
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
    }

    @Test func aPostgresStoreTakesArchives() throws {
        let config = try Self.parse("archive: {dir: /shared/archive, segment_records: 100}\nretention: {\"*\": 5y}\n", postgres: true)
        #expect(config.archive?.directory == "/shared/archive" && config.archive?.segmentRecords == 100)
        #expect(config.store.postgres != nil)
    }
}
