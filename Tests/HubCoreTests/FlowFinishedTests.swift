import FlowSamples
import Foundation
import HubCore
import HubProtocol
import Testing

/// Finished flows leave the engine's memory (issue 20): the engine holds the flows in
/// progress and, for `flows.keep_finished_hours` of journal time, the traces of finished
/// ones; it emits and admits what it did when it kept everything, and an engine restored
/// from a snapshot goes on as the original, traces and their ageing included.
@Suite("Flow engine: finished flows leave memory")
struct FlowFinishedTests {
    /// An engine whose finished flows leave traces for `keepMs` (the config's hours, or
    /// less, set directly).
    static func engine(keepMs: Int64) throws -> FlowEngine {
        let (base, policy) = try FlowEngineTests.setup()
        var config = base
        config.flows?.keepFinishedMs = keepMs
        return FlowEngine(config: config, policy: policy)
    }

    @Test func onlyDeclarationsInProgressStayInMemory() throws {
        let workload = try FlowWorkload(declarations: 300)
        var engine = try FlowEngineTests.engine()
        _ = FlowSnapshotTests.run(&engine, workload.steps[...])
        // FlowWorkload: one in 10 mismatched (final at once), one in 25 never complete; of
        // the others, those with 899 (n % 5 == 0, not n % 9 == 0) are closed, final.
        var inProgress = 0
        var finished = 0
        let never = (1...300).filter { $0 % 25 == 11 }.count
        for n in 1...300 where n % 25 != 11 {
            if n % 10 == 3 || (n % 9 != 0 && n % 5 == 0) { finished += 1 } else { inProgress += 1 }
        }
        #expect(engine.heldCounts.declarations == inProgress)
        #expect(engine.declarationCount == inProgress)
        #expect(engine.heldCounts.traces >= finished, "their receipt keys stay for the horizon")
        // The counts by state still count the finished ones.
        let declarations = engine.stateCounts.filter { $0.key.kind == .declaration }.values.reduce(0, +)
        #expect(declarations == inProgress + finished + never)
        // Those never complete wait for their documents, or ended INCOMPLETE (link timeout).
        let incomplete = engine.stateCounts[.init(kind: .declaration, state: "incomplete")] ?? 0
        #expect(engine.waitingCount + incomplete == never)
        // The filers' registrations expired (the workload leaves departments silent): gone too.
        #expect(engine.heldCounts.registrations == 0)
        #expect(engine.registration(FlowKey(sender: "platform", id: "reg-platform")) == nil)
        // Monitoring still shows the recent flows, finished ones with their last feedback.
        #expect(engine.recentFlows(.declaration).count == FlowTally.recentLimit)
        #expect(engine.recentFlows(.registration).count == 3)
        let allFinal = engine.recentFlows(.registration).allSatisfy { $0.final }
        #expect(allFinal)
    }

    @Test func tracesAgedOutChangeNothingTheFlowsEmit() throws {
        // Four days of filings: with a one-hour horizon the traces of each day are gone the
        // next; with ten years nothing ever leaves. Both emit the same, step by step.
        let workload = try FlowWorkload(declarations: 1600)
        var short = try Self.engine(keepMs: 3_600_000)
        var long = try Self.engine(keepMs: 10 * 365 * 86_400_000)
        var emitted = 0
        var same = true
        var firstDifference = -1
        for (index, step) in workload.steps.enumerated() {
            let a = FlowSnapshotTests.run(&short, workload.steps[index...index])
            let b = FlowSnapshotTests.run(&long, workload.steps[index...index])
            emitted += a.flatMap { $0 }.count
            if a != b && same {
                same = false
                firstDifference = index
            }
            _ = step
        }
        #expect(same, "first difference at step \(firstDifference)")
        #expect(emitted > 10_000)
        #expect(short.heldCounts.traces < long.heldCounts.traces / 2)
        #expect(short.heldCounts.heldRecords < long.heldCounts.heldRecords / 2)
        #expect(short.stateCounts == long.stateCounts)
        #expect(short.tally == long.tally)
        // And the short engine's snapshot is the smaller (the declarations released and
        // never closed, in progress for good, are in both).
        let smaller = short.snapshot().encoded().count < long.snapshot().encoded().count
        #expect(smaller)
    }

    @Test func aRestoredEngineAgesItsTracesAsTheOriginal() throws {
        let workload = try FlowWorkload(declarations: 1100)
        let steps = workload.steps
        var original = try Self.engine(keepMs: 3_600_000)
        let all = FlowSnapshotTests.run(&original, steps[...])
        for cut in stride(from: steps.count / 7, to: steps.count, by: steps.count / 7) {
            var engine = try Self.engine(keepMs: 3_600_000)
            _ = FlowSnapshotTests.run(&engine, steps[..<cut])
            let snapshot = try FlowSnapshot(decoding: engine.snapshot().encoded())
            let sameBytes = snapshot.encoded() == engine.snapshot().encoded()
            #expect(sameBytes, "cut at \(cut)")
            var restored = engine.restored(from: snapshot)
            let after = FlowSnapshotTests.run(&restored, steps[cut...])
            let same = after == Array(all[cut...])
            #expect(same, "restored at step \(cut)")
            let sameState = restored.snapshot().encoded() == original.snapshot().encoded()
            #expect(sameState, "restored at step \(cut), then the rest")
        }
    }

    @Test func aLateCustomsAcceptanceOfAnExpiredRegistrationStillRegisters() throws {
        var engine = try FlowEngineTests.engine(deadlineMs: 1000)
        let registration = SampleFilings.registration(
            copNo: "r", socialCreditCode: "91330100MA27XXXX1A", customsCode: "", name: "p", roles: [.platform], bankCode: "BKCHCNBJ")
        var time: Int64 = 1_763_700_000_000_000
        var seq: UInt64 = 0
        func input(_ sender: String, _ type: String, _ id: String, _ body: [UInt8], correlation: String = "") -> FlowInput {
            time += 1000
            seq += 1
            return FlowInput(
                seq: seq, sender: sender, id: id, type: type, recipients: [], correlationId: correlation, journaledAtUs: time, body: body)
        }
        _ = engine.journaled(input("platform", "reg.Registration", "reg-1", try registration.serializedBytes()))
        let expired = engine.tick(nowUs: time + 2_000_000).compactMap { try? BizFeedback(serializedBytes: $0.body) }
        #expect(expired.first?.state == .expired && expired.first?.final == true)
        #expect(engine.heldCounts.registrations == 0, "the expired registration left memory")
        time += 2_000_000
        let order: [UInt8] = try SampleFilings.declaration(1).order.serializedBytes()
        let refusal = engine.admit(type: "ceb.Order", from: "platform", recipients: [], body: order)
        #expect(refusal?.reason.contains("expired without a customs answer") == true)
        var result = BizRegistrationResult()
        result.socialCreditCode = registration.socialCreditCode
        result.decision = .accepted
        result.code = "3301960001"
        let late = engine.journaled(
            input("customs", "reg.Result", "res-1", try result.serializedBytes(), correlation: "share:platform:reg-1"))
        #expect(late.isEmpty, "a finished registration gives no more feedback")
        #expect(engine.admit(type: "ceb.Order", from: "platform", recipients: [], body: order) == nil, "but customs registered the party")
    }
}
