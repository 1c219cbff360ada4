import Foundation
import HubCore
import Testing

/// The size of a snapshot and the time to take, encode, decode and restore it, next to
/// the time a full replay of the same journal takes. Measured, not asserted: runs only
/// with FLOW_SNAPSHOT_MEASURE=<declarations> set, e.g.
/// `FLOW_SNAPSHOT_MEASURE=2000 swift test --skip-build --filter FlowSnapshotMeasurement`.
@Suite("Flow engine: snapshot size and speed")
struct FlowSnapshotMeasurement {
    static let declarations = ProcessInfo.processInfo.environment["FLOW_SNAPSHOT_MEASURE"].flatMap { Int($0) }

    @Test(.enabled(if: declarations != nil)) func measure() throws {
        let workload = try FlowWorkload(declarations: Self.declarations ?? 0)
        let clock = ContinuousClock()
        var engine = try FlowEngineTests.engine()
        let replay = clock.measure { _ = FlowSnapshotTests.run(&engine, workload.steps[...]) }
        var snapshot = engine.snapshot()
        let take = clock.measure { snapshot = engine.snapshot() }
        var bytes: [UInt8] = []
        let encode = clock.measure { bytes = snapshot.encoded() }
        var decoded: FlowSnapshot?
        let decode = try clock.measure { decoded = try FlowSnapshot(decoding: bytes) }
        let (config, policy) = try FlowEngineTests.setup()
        var restored: FlowEngine?
        let restore = clock.measure { restored = decoded.map { FlowEngine(config: config, policy: policy, snapshot: $0) } }
        #expect(restored?.tally == engine.tally)
        let settled = engine.stateCounts.filter { $0.key.state != "pending" }.map(\.value).reduce(0, +)
        print(
            """
            flow snapshot: \(workload.inputs.count) journaled messages, \(engine.declarationCount) declarations, \
            \(settled) settled flows (\(engine.stateCounts.map { "\($0.key.kind.rawValue)/\($0.key.state)=\($0.value)" }.sorted()))
            full replay \(replay); snapshot() \(take); encoded() \(encode), \(bytes.count) bytes; \
            init(decoding:) \(decode); FlowEngine(snapshot:) \(restore)
            """)
    }
}
