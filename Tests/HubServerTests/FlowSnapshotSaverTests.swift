import Dispatch
import Foundation
import HubCore
import HubTestSupport
import Logging
import Synchronization
import Testing

@testable import HubServer

/// The flows' snapshots are saved one at a time, and paced: after a save that took `d`
/// the next waits `FlowSnapshotSaver.spacing × d`, so that saving a large state cannot
/// take more than a small share of a core.
@Suite("Flows' snapshot saver")
struct FlowSnapshotSaverTests {
    static let keys = [
        "FjO$69!cK>7:r4bTR8ub*S7&fs}}>7<>O6s5?hBR", "i/f<D?nd><@oLc*8&7{q-!SEX>WKCvnva<C^-HVA",
    ]

    /// A snapshot of an engine that has read nothing yet.
    static func snapshot() throws -> FlowSnapshot {
        let yaml = """
            hub: {endpoint: "tcp://127.0.0.1:1", key_file: hub.key, journal: j.sqlite}
            types: []
            flows: {}
            parties:
              - {id: customs, public_key: "\(keys[0])", roles: [customs]}
              - {id: platform, public_key: "\(keys[1])", roles: [platform, ecommerce_enterprise]}
            """
        let config = try HubConfig.parse(yaml: yaml, baseDirectory: "/") { _ in "" }
        let engine = FlowEngine(config: config, policy: try RedactionPolicy(config: config, schema: HubConfig.schema()))
        return engine.snapshot(owed: [])
    }

    /// A clock that moves one second each time the saver reads it (a save "takes" 1 s),
    /// and the instant it started from.
    static func steppingClock() -> (base: ContinuousClock.Instant, clock: @Sendable () -> ContinuousClock.Instant) {
        let base = ContinuousClock.now
        let reads = Mutex<Int64>(0)
        return (
            base,
            {
                base
                    + .seconds(
                        reads.withLock {
                            $0 += 1
                            return $0
                        })
            }
        )
    }

    @Test func aSaveIsFollowedByAPauseOfSpacingTimesItsDuration() async throws {
        let (base, clock) = Self.steppingClock()
        let gate = DispatchSemaphore(value: 0)
        let stored = Mutex<[UInt64]>([])
        let saver = FlowSnapshotSaver(logger: Logger(label: "test"), clock: clock) { seq, bytes in
            #expect(!bytes.isEmpty)
            stored.withLock { $0.append(seq) }
            gate.wait()
        }
        #expect(saver.isReady(at: base) && saver.readyAt == nil, "ready before the first save")

        let snapshot = try Self.snapshot()
        saver.save(snapshot)
        #expect(saver.isSaving && !saver.isReady(at: base + .seconds(3600)), "not ready while a save runs")
        saver.save(snapshot)  // skipped: one at a time
        try await waitUntil(.seconds(30), "the save never reached the store") { stored.withLock { $0.count } == 1 }
        gate.signal()
        try await waitUntil(.seconds(30), "the save never finished") { !saver.isSaving }

        let readyAt = try #require(saver.readyAt)
        #expect(readyAt == base + .seconds(2 + FlowSnapshotSaver.spacing), "finished at +2 s after 1 s of saving")
        #expect(!saver.isReady(at: readyAt - .milliseconds(1)))
        #expect(saver.isReady(at: readyAt))
        #expect(stored.withLock { $0 } == [snapshot.seq], "the skipped save stored nothing")
    }

    @Test func aFailedSaveIsPacedToo() async throws {
        struct Refused: Error {}
        let (base, clock) = Self.steppingClock()
        let saver = FlowSnapshotSaver(logger: Logger(label: "test"), clock: clock) { _, _ in throw Refused() }
        saver.save(try Self.snapshot())
        try await waitUntil(.seconds(30), "the save never finished") { !saver.isSaving && saver.readyAt != nil }
        #expect(saver.readyAt == base + .seconds(2 + FlowSnapshotSaver.spacing))
    }
}
