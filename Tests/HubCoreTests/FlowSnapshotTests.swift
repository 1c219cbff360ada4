import FlowSamples
import Foundation
import HubCore
import HubProtocol
import Testing

/// The flows' state as a snapshot: an engine restored from one goes on exactly as the
/// engine it was taken of, and snapshot + the journal after it owes what a full rebuild
/// from the journal owes.
@Suite("Flow engine: snapshots")
struct FlowSnapshotTests {
    /// Drives `engine` through `steps`, returning what it emitted at each step.
    static func run(_ engine: inout FlowEngine, _ steps: ArraySlice<FlowWorkload.Step>) -> [[FlowEmission]] {
        steps.map { step in
            switch step {
            case .input(let input): engine.journaled(input)
            case .tick(let time): engine.tick(nowUs: time)
            }
        }
    }

    /// The engine restored from the bytes of `engine`'s snapshot.
    static func restored(_ engine: FlowEngine, owed: [FlowEmission] = []) throws -> (FlowEngine, FlowSnapshot) {
        let bytes = engine.snapshot(owed: owed).encoded()
        let snapshot = try FlowSnapshot(decoding: bytes)
        let sameBytes = snapshot.encoded() == bytes
        #expect(sameBytes, "the same state encodes to the same bytes")
        let (config, policy) = try FlowEngineTests.setup()
        return (FlowEngine(config: config, policy: policy, snapshot: snapshot), snapshot)
    }

    /// What monitoring and admission see of two engines is the same.
    static func expectSameOverview(_ a: FlowEngine, _ b: FlowEngine, _ note: Comment) throws {
        #expect(a.nowUs == b.nowUs && a.seq == b.seq, note)
        #expect(a.tally == b.tally, note)
        #expect(a.stateCounts == b.stateCounts, note)
        #expect(a.declarationCount == b.declarationCount, note)
        for kind in FlowTally.Kind.allCases { #expect(a.recentFlows(kind) == b.recentFlows(kind), note) }
        let order: [UInt8] = try SampleFilings.declaration(9999).order.serializedBytes()
        for party in ["platform", "bank", "post", "agent"] {
            #expect(
                a.admit(type: "ceb.Order", from: party, recipients: [], body: order)
                    == b.admit(
                        type: "ceb.Order", from: party, recipients: [], body: order), note)
        }
        // The whole state, byte for byte (a Bool: a failure would print megabytes).
        let sameState = a.snapshot().encoded() == b.snapshot().encoded()
        #expect(sameState, note)
    }

    @Test func aRestoredEngineEmitsWhatTheOriginalEmits() throws {
        let steps = try FlowWorkload(declarations: 90).steps
        #expect(steps.count > 500)
        var cuts = Array(stride(from: 0, to: steps.count, by: steps.count / 9)) + [steps.count]
        // Right after the first registration, and inside the first declarations.
        cuts += [1, 12, 30]
        var original = try FlowEngineTests.engine()
        let all = Self.run(&original, steps[...])
        let emitted = all.flatMap { $0 }
        #expect(emitted.contains { $0.type == "ceb.SummaryDeclaration" } && emitted.contains { $0.type == "flow.Answer" })
        #expect(emitted.contains { $0.id.hasPrefix("sres:") } && emitted.contains { $0.id.hasPrefix("rel:") })
        for cut in cuts.sorted() {
            var engine = try FlowEngineTests.engine()
            let before = Self.run(&engine, steps[..<cut])
            #expect(before == Array(all[..<cut]))
            let (resumed, snapshot) = try Self.restored(engine)
            var restored = resumed
            #expect(snapshot.seq == engine.seq && snapshot.nowUs == engine.nowUs)
            try Self.expectSameOverview(engine, restored, "restored at step \(cut)")
            let after = Self.run(&restored, steps[cut...])
            _ = Self.run(&engine, steps[cut...])
            #expect(after == Array(all[cut...]), "restored at step \(cut)")
            try Self.expectSameOverview(engine, restored, "restored at step \(cut), then the rest")
            try Self.expectSameOverview(original, restored, "restored at step \(cut), then the rest")
        }
    }

    /// A journal of flow messages and the hub's emissions (by id), as the live hub writes
    /// it: each message under the next seq, then what the flows emitted for it.
    struct Journal {
        var records: [(seq: UInt64, input: FlowInput?, hubId: String?)] = []
        var head: UInt64 = 0

        /// Journals a step's message (if any) and hands it to the live engine.
        mutating func live(_ engine: inout FlowEngine, _ step: FlowWorkload.Step) -> [FlowEmission] {
            switch step {
            case .input(var input):
                head += 1
                input.seq = head
                records.append((head, input, nil))
                return engine.journaled(input)
            case .tick(let time):
                return engine.tick(nowUs: time)
            }
        }

        /// Journals the hub's emissions (the journal deduplicates ids).
        mutating func journal(_ emissions: [FlowEmission]) {
            for emission in emissions where !records.contains(where: { $0.hubId == emission.id }) {
                head += 1
                records.append((head, nil, emission.id))
            }
        }

        /// What an engine asks for reading the records after `seq`, minus what the journal
        /// holds from the hub after `seq`, each once (the router's rebuild).
        func owed(_ engine: inout FlowEngine, after seq: UInt64, owedBefore: [FlowEmission], now: Int64) -> [FlowEmission] {
            let tail = records.filter { $0.seq > seq }
            var owed = owedBefore
            for record in tail { if let input = record.input { owed += engine.journaled(input) } }
            owed += engine.tick(nowUs: now)
            let journaled = Set(tail.compactMap(\.hubId))
            var seen = Set<String>()
            return owed.filter { !journaled.contains($0.id) && seen.insert($0.id).inserted }
        }
    }

    @Test func snapshotAndTailOweWhatAFullRebuildOwes() throws {
        let workload = try FlowWorkload(declarations: 120)
        let steps = workload.steps
        var reference = try FlowEngineTests.engine()
        let all = Self.run(&reference, steps[...])
        // Snapshots and crashes at steps that emit something.
        let emitting = all.indices.filter { !all[$0].isEmpty }
        let half = emitting.count / 2
        let cases = [
            (emitting[40], emitting[80] + 1, false), (emitting[60], emitting[60] + 1, true), (emitting[70], emitting[71] + 1, false),
            (emitting[100], steps.count, true), (emitting[half], emitting[emitting.count - 3] + 1, false),
        ]
        for (snapshotAt, crashAt, withOwed) in cases {
            // The live hub: it takes a snapshot at `snapshotAt` (before journaling that
            // step's emissions when `withOwed`), and stops after `crashAt` steps, the
            // emissions of the last one not journaled.
            var live = try FlowEngineTests.engine()
            var journal = Journal()
            var snapshot: FlowSnapshot?
            for index in 0..<crashAt {
                let emitted = journal.live(&live, steps[index])
                if index == snapshotAt && withOwed { snapshot = try Self.restored(live, owed: emitted).1 }
                if index < crashAt - 1 { journal.journal(emitted) }
                if index == snapshotAt && !withOwed { snapshot = try Self.restored(live).1 }
            }
            let taken = try #require(snapshot)
            let note: Comment = "snapshot at \(snapshotAt)\(withOwed ? " with owed emissions" : ""), crash at \(crashAt)"
            let now = workload.time + 60_000_000

            var rebuilt = try FlowEngineTests.engine()
            let fullOwed = journal.owed(&rebuilt, after: 0, owedBefore: [], now: now)
            let (config, policy) = try FlowEngineTests.setup()
            var resumed = FlowEngine(config: config, policy: policy, snapshot: taken)
            let tailOwed = journal.owed(&resumed, after: taken.seq, owedBefore: taken.owed, now: now)
            #expect(tailOwed.sorted { $0.id < $1.id } == fullOwed.sorted { $0.id < $1.id }, note)
            #expect(!fullOwed.isEmpty || crashAt == steps.count, note)
            #expect(!withOwed || !taken.owed.isEmpty, note)
            // From then on both hubs are one.
            try Self.expectSameOverview(rebuilt, resumed, note)
            let later = now + 86_400_000_000
            #expect(rebuilt.tick(nowUs: later) == resumed.tick(nowUs: later), note)
        }
    }

    @Test func emissionsOwedWhenTheSnapshotWasTakenTravelWithIt() throws {
        let steps = try FlowWorkload(declarations: 10).steps
        var live = try FlowEngineTests.engine()
        let emitted = Self.run(&live, steps[..<60]).flatMap { $0 }
        let owed = Array(emitted.suffix(3))
        let (_, snapshot) = try Self.restored(live, owed: owed)
        #expect(snapshot.owed == owed)
    }

    @Test func aSnapshotRestoresUnderOtherPartiesAndItsFlowsKeepTheirs() throws {
        let steps = try FlowWorkload(declarations: 4).steps
        var engine = try FlowEngineTests.engine()
        // The filers' registrations, still waiting for forex, post and the bank.
        _ = Self.run(&engine, steps[..<9])
        let key = FlowKey(sender: "platform", id: "reg-platform")
        #expect(engine.registration(key)?.isFinal == false)
        // Tax leaves, a second customs office joins.
        var parties = FlowEngineTests.parties.filter { $0.0 != "tax" }
        parties.insert(("customs2", "[customs]"), at: 1)
        let (config, policy) = try FlowEngineTests.setup(parties: parties)
        var restored = FlowEngine(config: config, policy: policy, snapshot: try FlowSnapshot(decoding: engine.snapshot().encoded()))
        #expect(restored.registration(key)?.departments == engine.registration(key)?.departments)
        #expect(restored.registration(key)?.departments.contains("tax") == true, "a flow in progress keeps its departments")
        // A new registration goes to the departments of the new config.
        let registration = SampleFilings.registration(
            copNo: "agent", socialCreditCode: "91330100MA27YYYY2B", customsCode: "", name: "agent", roles: [.platform],
            bankCode: "BKCHCNBJ")
        let input = FlowInput(
            seq: restored.seq + 1, sender: "agent", id: "reg-agent", type: "reg.Registration", recipients: [], correlationId: "",
            journaledAtUs: restored.nowUs + 1000, body: try registration.serializedBytes())
        let share = try #require(restored.journaled(input).first { $0.type == "reg.Registration" })
        #expect(share.recipients == ["customs", "customs2", "forex", "post", "bank"])
        // The old flow's deadline still runs; its final feedback names who stayed silent.
        let expired = restored.tick(nowUs: restored.nowUs + 10_000_000).compactMap { try? BizFeedback(serializedBytes: $0.body) }
        let final = try #require(expired.first { $0.subjectID == "reg-platform" })
        #expect(final.state == .expired && final.pendingDepartments == ["forex", "post", "bank"])
    }

    @Test func damagedUnknownOrForeignBytesAreRefused() throws {
        var engine = try FlowEngineTests.engine()
        _ = Self.run(&engine, try FlowWorkload(declarations: 5).steps[...])
        let bytes = engine.snapshot().encoded()
        #expect(try FlowSnapshot(decoding: bytes).seq == engine.seq)
        func refusal(_ bytes: [UInt8]) -> FlowSnapshotError.Code? {
            do {
                _ = try FlowSnapshot(decoding: bytes)
                return nil
            } catch let error as FlowSnapshotError {
                return error.code
            } catch {
                return nil
            }
        }
        var flipped = bytes
        flipped[bytes.count - bytes.count / 3] ^= 0x04
        #expect(refusal(flipped) == .damaged)
        #expect(refusal(Array(bytes.dropLast(10))) == .damaged)
        #expect(refusal(bytes + Array("x".utf8)) == .damaged)
        let text = String(decoding: bytes, as: UTF8.self)
        let newer = text.replacingOccurrences(of: "\"version\":2", with: "\"version\":3")
        #expect(newer != text)
        #expect(refusal(Array(newer.utf8)) == .unknownVersion)
        let other = text.replacingOccurrences(of: FlowSnapshot.format, with: "something-else")
        #expect(refusal(Array(other.utf8)) == .notASnapshot)
        #expect(refusal([]) == .notASnapshot)
        #expect(refusal(Array("{\"seq\":1}\n{}".utf8)) == .notASnapshot)
    }
}
