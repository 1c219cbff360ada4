import HubCore
import HubProtocol
import Testing

/// What the monitor reads from the flows: counts by kind and unified state, and the latest
/// filings with their state, kept as feedback is emitted.
@Suite("Flow engine: counts by state and latest filings")
struct FlowTallyTests {
    @Test func countsAndLatestFilingsFollowTheFeedback() throws {
        let journal = try FlowEngineTests.journal()
        var engine = try FlowEngineTests.engine()
        for input in journal { _ = engine.journaled(input) }
        _ = engine.tick(nowUs: journal.last!.journaledAtUs + 10_000_000)

        let registrations = engine.recentFlows(.registration)
        let declarations = engine.recentFlows(.declaration)
        #expect(registrations.map(\.id) == ["reg-post", "reg-bank", "reg-platform"])
        #expect(declarations.map(\.id) == ["inv-4", "inv-3", "inv-2", "inv-1"])
        // Each brief is the flow's current feedback; a finished flow left memory, its brief
        // is its final feedback.
        for brief in registrations {
            guard let flow = engine.registration(FlowKey(sender: brief.filer, id: brief.id)) else {
                #expect(brief.final && brief.state == "expired" && brief.departments["customs"] == "accepted")
                continue
            }
            #expect(brief.state == FlowTally.name(flow.feedback.state) && brief.final == flow.feedback.final)
            #expect(brief.departments.count == flow.departments.count)
        }
        let mismatched = try #require(declarations.first { $0.id == "inv-3" })
        #expect(mismatched.state == "refused" && mismatched.final && mismatched.reasons.first?.hasPrefix("CONSIGNEE") == true)
        #expect(declarations.filter { $0.id != "inv-3" }.allSatisfy { $0.state == "accepted" && $0.filer == "platform" })

        // The counts are those of every flow's current state (all of them are recent here).
        var expected: [FlowTally.StateKey: Int] = [:]
        for brief in registrations + declarations { expected[FlowTally.StateKey(kind: brief.kind, state: brief.state), default: 0] += 1 }
        #expect(engine.stateCounts.filter { $0.value != 0 } == expected)
        // Flows that moved on leave their earlier state at zero, not negative.
        #expect(engine.stateCounts.values.allSatisfy { $0 >= 0 })
        #expect(engine.stateCounts[FlowTally.StateKey(kind: .declaration, state: "pending")] == 0)

        // Rebuilt from the same journal (a restart), the engine reports the same.
        var rebuilt = try FlowEngineTests.engine()
        for input in journal { _ = rebuilt.journaled(input) }
        _ = rebuilt.tick(nowUs: journal.last!.journaledAtUs + 10_000_000)
        #expect(rebuilt.stateCounts == engine.stateCounts)
        #expect(rebuilt.recentFlows(.declaration) == declarations)
    }

    @Test func onlyTheLatestFilingsAreKept() throws {
        var engine = try FlowEngineTests.engine()
        var time: Int64 = 1_763_700_000_000_000
        for n in 1...(FlowTally.recentLimit + 5) {
            var registration = BizRegistration()
            registration.socialCreditCode = "9133010000000\(1000 + n)"
            registration.name = "merchant \(n)"
            time += 1000
            _ = engine.journaled(
                FlowInput(
                    seq: UInt64(n), sender: "platform", id: "reg-\(n)", type: "reg.Registration", recipients: [], correlationId: "",
                    journaledAtUs: time, body: try registration.serializedBytes()))
        }
        let recent = engine.recentFlows(.registration)
        #expect(recent.count == FlowTally.recentLimit)
        #expect(recent.first?.id == "reg-\(FlowTally.recentLimit + 5)" && recent.last?.id == "reg-6")
        #expect(engine.stateCounts[FlowTally.StateKey(kind: .registration, state: "pending")] == FlowTally.recentLimit + 5)
    }
}
