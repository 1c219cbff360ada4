import HubConfigKit
import HubCore
import Testing

@Suite("HubConfig store section")
struct StoreConfigTests {
    static let hubLines = "hub:\n  endpoint: tcp://*:5570\n  key_file: hub.key\n"
    static let rest = "types: [demo.Note]\nparties:\n  - id: enterprise\n    public_key: \"\(TestKeys.a)\"\n"

    static func parse(store: String?, journal: Bool = false) throws -> HubConfig {
        let yaml =
            (store.map { "store:\n" + $0.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n" } ?? "")
            + hubLines + (journal ? "  journal: j.sqlite\n" : "") + rest
        return try HubConfigTests.parse(yaml)
    }

    @Test func withoutAStoreSectionTheJournalIsSQLite() throws {
        let config = try Self.parse(store: nil, journal: true)
        #expect(config.store == .sqlite(path: "/etc/swhub/j.sqlite"))
        #expect(config.postgres == nil)
    }

    @Test func sqliteKindUsesHubJournal() throws {
        #expect(try Self.parse(store: "kind: sqlite", journal: true).store == .sqlite(path: "/etc/swhub/j.sqlite"))
    }

    @Test func postgresStoreIsParsedWithDefaults() throws {
        let config = try Self.parse(
            store: "kind: postgres\nhosts: [\"10.0.0.1:5433\", db2, \"[::1]:6000\"]\ndatabase: swhub\nuser: hub\npassword_file: pg.pw")
        let settings = try #require(config.store.postgres)
        #expect(
            settings.hosts == [
                .init(host: "10.0.0.1", port: 5433), .init(host: "db2", port: 5432), .init(host: "::1", port: 6000),
            ])
        #expect(settings.hosts.map(\.description) == ["10.0.0.1:5433", "db2:5432", "[::1]:6000"])
        #expect(settings.database == "swhub")
        #expect(settings.user == "hub")
        #expect(settings.passwordFile == "/etc/swhub/pg.pw")
        #expect(settings.tls == .disable)
        #expect(settings.connectTimeoutMs == 5000)
        #expect(config.settings.journal == "")
    }

    @Test(arguments: [
        ("kind: postgres\ndatabase: d\nuser: u", "store.hosts is missing"),
        ("kind: postgres\nhosts: []\ndatabase: d\nuser: u", "store.hosts is missing"),
        ("kind: postgres\nhosts: [\"h:0\"]\ndatabase: d\nuser: u", "'h:0' is not HOST:PORT"),
        ("kind: postgres\nhosts: [\"h:x\"]\ndatabase: d\nuser: u", "'h:x' is not HOST:PORT"),
        ("kind: postgres\nhosts: [h]\nuser: u", "store.database is missing"),
        ("kind: postgres\nhosts: [h]\ndatabase: d", "store.user is missing"),
        ("kind: postgres\nhosts: [h]\ndatabase: d\nuser: u\ntls: require", "store.tls 'require' is not one of disable, verify-full"),
        ("kind: postgres\nhosts: [h]\ndatabase: d\nuser: u\nca_file: ca.pem", "store.ca_file is set but store.tls is not verify-full"),
        ("kind: postgres\nhosts: [h]\ndatabase: d\nuser: u\nconnect_timeout_ms: 5", "store.connect_timeout_ms = 5"),
        ("kind: mysql", "store.kind 'mysql' is not one of sqlite, postgres"),
        ("kind: sqlite\nhosts: [h]", "store.kind sqlite takes no PostgreSQL settings"),
    ])
    func badStoresAreRefusedWithTheirKey(store: String, reason: String) throws {
        let error = #expect(throws: ConfigError.self) { try Self.parse(store: store, journal: store.hasPrefix("kind: sqlite")) }
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
    }

    @Test func journalAndPostgresTogetherAreRefused() throws {
        let error = #expect(throws: ConfigError.self) {
            try Self.parse(store: "kind: postgres\nhosts: [h]\ndatabase: d\nuser: u", journal: true)
        }
        #expect(error?.reason.contains("hub.journal 'j.sqlite' is set but store.kind is postgres") == true)
    }

    @Test func sqliteWithoutJournalIsRefused() throws {
        let error = #expect(throws: ConfigError.self) { try Self.parse(store: nil) }
        #expect(error?.code == .syntax)
        #expect(error?.reason.contains("hub.journal: missing") == true)
    }

    @Test func unknownStoreKeysAreRefused() throws {
        #expect(throws: ConfigError.self) { try Self.parse(store: "kind: postgres\nhosts: [h]\ndatabase: d\nuser: u\nhost: x") }
    }
}
