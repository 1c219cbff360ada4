import FlowSamples
import Foundation
import HubClient
import HubCore
import HubProtocol
import HubStore
import Testing

/// Risk control through a real `swhub serve`: a rule set to hold keeps a declaration from
/// customs, customs and the rule's departments get the notice (personal evidence hidden
/// where the policy says), a non-reviewer's disposition is refused at submission, customs'
/// release forwards the declaration and its refusal refuses it; the trace lists the hits.
@Suite("Risk control: notices and pre-review holds", .serialized)
struct RiskControlTests {
    static let risk = [
        "rules:",
        "  consumer_quota: {action: hold, severity: high, per_purchase_cny: 500, reviewers: [customs], notify: [risk-office]}",
    ]
    /// A second tax office told about quota hits, which must not see personal evidence.
    static let riskOffice = TestHub.PartySpec(id: "risk-office", hide: "{risk.Notice: [personal_evidence]}", roles: ["tax"])

    static func disposition(_ n: Int, _ decision: BizRiskDecision, reason: String = "") -> BizRiskDisposition {
        var disposition = BizRiskDisposition()
        disposition.noticeID = "risk:platform:inventory-\(n):consumer_quota"
        disposition.decision = decision
        disposition.reason = reason
        return disposition
    }

    @Test func heldDeclarationsAreReleasedOrRefusedByCustoms() async throws {
        let world = try await FlowWorld(extraParties: [Self.riskOffice], risk: Self.risk)
        defer { world.close() }
        try await world.connectAll()
        try await world.connect("risk-office")
        try await world.registerFilers()
        try await world.file(1)

        // Held: the filers are told, customs gets the notice and not the documents.
        let held = try await world.waitFeedback("platform", subject: "inventory-1") { $0.state == .held }
        #expect(held.reasons.contains { $0.contains("consumer_quota") } && !held.final)
        let notice = try #require(try await world.wait("customs", "risk.Notice").first)
        #expect(notice.header.sender == "hub" && notice.header.id == "risk:platform:inventory-1:consumer_quota")
        let full = try BizRiskNotice(serializedBytes: notice.body)
        #expect(full.held && full.disposition == .open && full.rule == "consumer_quota")
        #expect(full.personalEvidence.map(\.value) == [SampleFilings.declaration(1).order.buyerIDNumber])
        let told = try #require(try await world.wait("risk-office", "risk.Notice").first)
        let redacted = try BizRiskNotice(serializedBytes: told.body)
        #expect(redacted.personalEvidence.isEmpty && redacted.evidence == full.evidence)
        try await world.barrier("customs")
        #expect(world.received("customs", "ceb.Inventory").isEmpty, "nothing forwarded while held")

        // `swhub status --held` lists the hold waiting for customs.
        let config = world.hub.configPath
        let waiting = try await TraceTests.run(world.hub, ["status", "--held", "--config", config], log: "held-1.txt")
        #expect(waiting.status == 0 && waiting.output.contains("holds waiting for a reviewer (集中预审核): 1"), "\(waiting.output)")
        #expect(waiting.output.contains("risk:platform:inventory-1:consumer_quota  rule consumer_quota  inventory inventory-1 by platform"))
        #expect(waiting.output.contains("reviewers customs") && waiting.output.contains("held since"), "\(waiting.output)")

        // Only a reviewer decides.
        let byTax = try await world.refusal("tax", "risk.Disposition", Self.disposition(1, .release), id: "tax-release")
        #expect(byTax?.hubCode == .notEntitled)
        let byFiler = try await world.refusal("platform", "risk.Disposition", Self.disposition(1, .release), id: "own-release")
        #expect(byFiler?.hubCode == .notEntitled)

        // Released: forwarded, and on as any declaration.
        try await world.submit(
            "customs", "risk.Disposition", Self.disposition(1, .release), id: "release-1",
            correlation: "risk:platform:inventory-1:consumer_quota")
        let forwards = try await world.wait("customs", "ceb.Inventory") { $0.header.sender == "hub" }
        #expect(forwards[0].header.id == "fwd:platform:inventory-1:inventory")
        let pending = try await world.waitFeedback("platform", subject: "inventory-1") { $0.state == .pending }
        #expect(pending.departments.first?.status == "forwarded")
        try await world.receipt(for: forwards[0], status: 800)
        _ = try await world.waitFeedback("platform", subject: "inventory-1") { $0.state == .accepted }
        let again = try await world.refusal("customs", "risk.Disposition", Self.disposition(1, .refuse, reason: "x"), id: "again")
        #expect(again?.hubCode == .notEntitled, "the hold is decided")
        let none = try await TraceTests.run(world.hub, ["status", "--held", "--json", "--config", config], log: "held-none.txt")
        #expect(none.status == 0 && none.output.isEmpty, "decided: nothing listed (\(none.output))")

        // Refused: final, with the reviewer's reason.
        try await world.file(2)
        _ = try await world.waitFeedback("platform", subject: "inventory-2") { $0.state == .held }
        try await world.submit(
            "customs", "risk.Disposition", Self.disposition(2, .refuse, reason: "超过单次限值"), id: "refuse-2",
            correlation: "risk:platform:inventory-2:consumer_quota")
        let refused = try await world.waitFeedback("platform", subject: "inventory-2") { $0.final }
        #expect(refused.state == .refused && refused.reasons.contains { $0.contains("超过单次限值") })
        try await world.barrier("customs")
        #expect(!world.received("customs", "ceb.Inventory").contains { $0.header.id == "fwd:platform:inventory-2:inventory" })

        // The trace of the declaration lists its hit and the decision.
        let report = try world.hub.inspector().trace("inventory-2")
        #expect(report.messages.contains { $0.role == .riskNotice && $0.id == "risk:platform:inventory-2:consumer_quota" })
        #expect(report.messages.contains { $0.role == .riskDisposition && $0.id == "refuse-2" })
    }

    @Test func heldDeclarationsAreListedWhenPersonalFieldsAreSealed() async throws {
        // `swhub status --held` rebuilds the flows from a journal whose personal fields
        // are sealed: it reads them opened, as the hub does, or the rebuilt 三单对碰 would
        // see ciphertexts.
        let world = try await FlowWorld(extraParties: [Self.riskOffice], risk: Self.risk, sealed: true)
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()
        try await world.file(1)
        _ = try await world.waitFeedback("platform", subject: "inventory-1") { $0.state == .held }
        let listed = try await TraceTests.run(
            world.hub, ["status", "--held", "--config", world.hub.configPath], log: "held-sealed.txt")
        #expect(listed.status == 0 && listed.output.contains("holds waiting for a reviewer (集中预审核): 1"), "\(listed.output)")
    }
}
