import HubConfigKit
import HubCore
import Testing

/// The `flows:` section of the hub's config and what it implies.
@Suite("Config: flows")
struct FlowConfigTests {
    static func parse(_ body: String) throws -> HubConfig {
        try HubConfig.parse(
            yaml: "hub: {endpoint: \"tcp://*:1\", key_file: k, journal: j}\n" + (body.contains("types:") ? "" : "types: []\n") + body,
            baseDirectory: "/"
        ) { _ in "" }
    }

    static let customs = "  - {id: customs, public_key: \"\(TestKeys.a)\", roles: [customs]}\n"

    @Test func flowsDeclareTheirTypesWithTheirMessages() throws {
        let config = try Self.parse("flows: {registration_deadline_ms: 60000, summary_schedule: none}\nparties:\n" + Self.customs)
        #expect(config.flows?.registrationDeadlineMs == 60000)
        #expect(config.flows?.queryTimeoutMs == 30000)
        #expect(config.flows?.dailySummaries == false)
        #expect(config.typeMessages["reg.Registration"] == "swhub.v1.Registration")
        #expect(config.types.isSuperset(of: HubConfig.flowTypes.keys))
        #expect(try Self.parse("types: [demo.Note]\nparties: []").flows == nil, "no flows section: routing only")
    }

    @Test func finishedFlowsAndSnapshotsHaveDefaultsAndSettings() throws {
        let defaults = try #require(try Self.parse("flows: {}\nparties:\n" + Self.customs).flows)
        #expect(defaults.keepFinishedMs == 24 * 3_600_000 && defaults.snapshotEvery == 50_000 && defaults.snapshotIntervalSeconds == 300)
        let set = try #require(
            try Self.parse("flows: {keep_finished_hours: 72, snapshot_every: 0, snapshot_interval_s: 60}\nparties:\n" + Self.customs).flows)
        #expect(set.keepFinishedMs == 72 * 3_600_000 && set.snapshotEvery == 0 && set.snapshotIntervalSeconds == 60)
    }

    @Test func theLinkTimeoutIsADurationWithADefault() throws {
        #expect(try Self.parse("flows: {}\nparties:\n" + Self.customs).flows?.linkTimeoutMs == 24 * 3_600_000)
        let set = try Self.parse("flows: {declaration: {link_timeout: 90s}}\nparties:\n" + Self.customs)
        #expect(set.flows?.linkTimeoutMs == 90_000)
        #expect(try Self.parse("flows: {declaration: {link_timeout: 2d}}\nparties:\n" + Self.customs).flows?.linkTimeoutMs == 172_800_000)
        for bad in ["0s", "soon", "400d", "-5m"] {
            #expect(throws: ConfigError.self, "\(bad)") {
                try Self.parse("flows: {declaration: {link_timeout: \(bad)}}\nparties:\n" + Self.customs)
            }
        }
        #expect(throws: ConfigError.self, "an unknown key of the declaration section") {
            try Self.parse("flows: {declaration: {link_timeuot: 90s}}\nparties:\n" + Self.customs)
        }
    }

    @Test func bankCodesBelongToBanks() throws {
        let bank = try Self.parse("parties:\n  - {id: boc, public_key: \"\(TestKeys.b)\", roles: [bank], bank_codes: [BKCHCNBJ]}")
        #expect(bank.party("boc")?.bankCodes == ["BKCHCNBJ"])
        #expect(throws: ConfigError.self) {
            try Self.parse("parties:\n  - {id: shop, public_key: \"\(TestKeys.b)\", roles: [platform], bank_codes: [X]}")
        }
    }

    @Test(arguments: [
        ("flows: {}\nparties:\n  - {id: tax, public_key: \"\(TestKeys.a)\", roles: [tax]}", "role customs"),
        ("parties:\n  - {id: hub, public_key: \"\(TestKeys.a)\"}", "reserved"),
        ("flows: {summary_schedule: hourly}\nparties:\n" + customs, "summary_schedule"),
        ("flows: {query_timeout_ms: 0}\nparties:\n" + customs, "query_timeout_ms"),
        ("flows: {keep_finished_hours: 0}\nparties:\n" + customs, "keep_finished_hours"),
        ("flows: {keep_finished_hours: 9223372036854775807}\nparties:\n" + customs, "keep_finished_hours"),
        ("flows: {snapshot_every: -1}\nparties:\n" + customs, "snapshot_every"),
        ("flows: {snapshot_interval_s: -5}\nparties:\n" + customs, "snapshot_interval_s"),
        ("flows: {}\ntypes: [{name: ceb.Order, message: swhub.v1.Payment}]\nparties:\n" + customs, "flow type"),
    ])
    func invalidFlowConfigsStopStartUp(yaml: String, mentions: String) {
        #expect {
            try Self.parse(yaml)
        } throws: { error in
            "\(error)".contains(mentions)
        }
    }
}
