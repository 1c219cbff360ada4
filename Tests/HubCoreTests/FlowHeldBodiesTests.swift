import FlowSamples
import Foundation
import HubCore
import HubProtocol
import Synchronization
import Testing

/// Held release notices whose bodies left memory for the journal
/// (``FlowEngine/parkHeldBodies(except:)``): an engine that parks them emits, answers
/// included, exactly what an engine keeping them does, and so does one restored from its
/// snapshot.
@Suite("Flow engine: held bodies read back from the journal")
struct FlowHeldBodiesTests {
    /// The hub's emissions by id, as the journal holds them (the first of an id stays).
    final class Journal: HeldBodySource {
        let bodies = Mutex<[String: [UInt8]]>([:])
        let reads = Atomic<Int>(0)

        func journal(_ emissions: [FlowEmission]) {
            bodies.withLock { bodies in
                for emission in emissions where bodies[emission.id] == nil { bodies[emission.id] = emission.body }
            }
        }

        func body(sender: String, id: String) -> [UInt8]? {
            guard sender == HubConfig.hubParty else { return nil }
            reads.add(1, ordering: .relaxed)
            return bodies.withLock { $0[id] }
        }
    }

    /// Queries about release notices by fields no query of the workload names, to run
    /// after `step` (their answers are compared, as every emission).
    static func extraQueries(after n: Int, at time: Int64) throws -> [FlowInput] {
        let criteria: [[String: String]] = [
            ["ie_flag": "E"], ["ebc_code": SampleFilings.Filers().ebcCode, "invt_no": "INV\(n)"], ["cop_no": "nothing-\(n)"],
        ]
        return try criteria.enumerated().map { index, criteria in
            var query = BizQuery()
            query.subject = "flow.ReleaseNotice"
            query.criteria = criteria
            query.limit = 5
            return FlowInput(
                seq: 0, sender: "customs", id: "q-extra-\(n)-\(index)", type: "flow.Query", recipients: ["hub"], correlationId: "",
                journaledAtUs: time, body: try query.serializedBytes())
        }
    }

    @Test func parkedReleaseNoticesAnswerAsKeptOnesDo() throws {
        let steps = try FlowWorkload(declarations: 160).steps
        var kept = try FlowEngineTests.engine()
        var parking = try FlowEngineTests.engine()
        let journal = Journal()
        parking.heldBodies = journal
        var parkedAtMost = 0
        var answers = 0
        for (index, step) in steps.enumerated() {
            var inputs: [FlowWorkload.Step] = [step]
            if index % 97 == 96, case .input(let input) = step {
                inputs += try Self.extraQueries(after: index / 8, at: input.journaledAtUs).map { .input($0) }
            }
            for step in inputs {
                let expected = FlowSnapshotTests.run(&kept, [step][...])
                let emitted = FlowSnapshotTests.run(&parking, [step][...])
                #expect(emitted == expected, "step \(index)")
                answers += expected.joined().filter { $0.type == "flow.Answer" }.count
                journal.journal(emitted.joined().map { $0 })
            }
            // The hub parks what the journal holds when it saves a snapshot.
            if index % 23 == 22 {
                parking.parkHeldBodies()
                parkedAtMost = max(parkedAtMost, parking.heldBodyCounts.parked)
            }
        }
        #expect(parkedAtMost > 10 && answers > 20)
        #expect(journal.reads.load(ordering: .relaxed) > 0, "queries read parked bodies back")
        #expect(kept.heldCounts == parking.heldCounts)
    }

    @Test func aSnapshotOfParkedRecordsIsSmallerAndRestoresTheSameEngine() throws {
        let steps = try FlowWorkload(declarations: 160).steps
        let cut = steps.count * 2 / 3
        var kept = try FlowEngineTests.engine()
        var parking = try FlowEngineTests.engine()
        let journal = Journal()
        parking.heldBodies = journal
        for step in steps[..<cut] {
            _ = FlowSnapshotTests.run(&kept, [step][...])
            journal.journal(FlowSnapshotTests.run(&parking, [step][...]).joined().map { $0 })
        }
        #expect(parking.parkHeldBodies() > 10)
        let keptBytes = kept.snapshot().encoded()
        let parkedBytes = parking.snapshot().encoded()
        #expect(parkedBytes.count < keptBytes.count)
        // Restored with somewhere to read the bodies from, it goes on as the engine keeping them.
        var restored = parking.restored(from: try FlowSnapshot(decoding: parkedBytes))
        let sameBytes = restored.snapshot().encoded() == parkedBytes
        #expect(sameBytes, "the same state encodes to the same bytes")
        #expect(restored.heldBodyCounts == parking.heldBodyCounts)
        for (index, step) in steps[cut...].enumerated() {
            var inputs: [FlowWorkload.Step] = [step]
            if index % 31 == 0, case .input(let input) = step {
                inputs += try Self.extraQueries(after: (cut + index) / 8, at: input.journaledAtUs).map { .input($0) }
            }
            for step in inputs {
                let expected = FlowSnapshotTests.run(&kept, [step][...])
                let emitted = FlowSnapshotTests.run(&restored, [step][...])
                #expect(emitted == expected, "step \(cut + index)")
                journal.journal(emitted.joined().map { $0 })
            }
        }
    }

    @Test func withoutASourceNothingIsParked() throws {
        var engine = try FlowEngineTests.engine()
        _ = FlowSnapshotTests.run(&engine, try FlowWorkload(declarations: 40).steps[...])
        #expect(engine.parkHeldBodies() == 0)
        #expect(engine.heldBodyCounts.parked == 0 && engine.heldBodyCounts.kept > 0)
    }
}
