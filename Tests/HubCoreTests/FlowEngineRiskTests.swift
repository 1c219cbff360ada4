import FlowSamples
import HubCore
import HubProtocol
import SwiftProtobuf
import Testing

/// Risk control in the flow engine: notices, holds for pre-review, reviewers' dispositions
/// (release forwards, refuse refuses), admission of dispositions, snapshots with open holds.
@Suite("Flow engine: risk notices and pre-review holds")
struct FlowEngineRiskTests {
    static let parties: [(String, String)] = [
        ("customs", "[customs]"), ("tax", "[tax]"), ("forex", "[forex]"), ("post", "[post, logistics_company]"),
        ("bank", "[bank, payment_company]"), ("platform", "[platform, ecommerce_enterprise]"),
    ]

    static let holdingQuota = """
        risk:
          rules:
            consumer_quota: {action: hold, severity: high, notify: [tax], reviewers: [customs], per_purchase_cny: 500}
            value_gap: {action: notify, paid_ratio: 1.05}

        """

    static func setup(risk: String = holdingQuota) throws -> (HubConfig, RedactionPolicy) {
        var yaml = "hub: {endpoint: \"tcp://127.0.0.1:1\", key_file: hub.key, journal: j.sqlite}\n"
        yaml += "types: []\nflows: {registration_deadline_ms: 60000}\nparties:\n"
        for (index, (id, roles)) in parties.enumerated() {
            yaml +=
                "  - {id: \(id), public_key: \"\(FlowEngineTests.keys[index])\", roles: \(roles)\(id == "bank" ? ", bank_codes: [BKCHCNBJ]" : "")}\n"
        }
        yaml += risk
        let config = try HubConfig.parse(yaml: yaml, baseDirectory: "/") { _ in "" }
        return (config, try RedactionPolicy(config: config, schema: HubConfig.schema()))
    }

    static func engine() throws -> FlowEngine {
        let (config, policy) = try setup()
        return FlowEngine(config: config, policy: policy)
    }

    /// Builds journal inputs one millisecond apart.
    struct Journal {
        var seq: UInt64 = 0
        var time: Int64 = 1_795_000_000_000_000

        mutating func input(
            _ sender: String, _ type: MessageType, _ id: String, _ message: some SwiftProtobuf.Message, correlation: String = ""
        ) throws -> FlowInput {
            seq += 1
            time += 1000
            return FlowInput(
                seq: seq, sender: sender, id: id, type: type.rawValue, recipients: [], correlationId: correlation, journaledAtUs: time,
                body: try message.serializedBytes())
        }

        /// The filers' registrations, accepted by customs.
        mutating func registrations() throws -> [FlowInput] {
            var inputs: [FlowInput] = []
            for (party, code) in [("platform", "91330100MA27XXXX1A"), ("bank", "91110000100000001B"), ("post", "91110000100000002C")] {
                let registration = SampleFilings.registration(
                    copNo: party, socialCreditCode: code, customsCode: "", name: party, roles: [.platform], bankCode: "BKCHCNBJ")
                inputs.append(try input(party, .registration, "reg-\(party)", registration))
                var result = BizRegistrationResult()
                result.socialCreditCode = code
                result.decision = .accepted
                inputs.append(try input("customs", .registrationResult, "res-\(party)", result, correlation: "share:\(party):reg-\(party)"))
            }
            return inputs
        }

        /// The four documents of sample declaration `n`.
        mutating func declaration(_ n: Int) throws -> [FlowInput] {
            let docs = SampleFilings.declaration(n)
            return [
                try input("bank", .payment, "pay-\(n)", docs.payment), try input("post", .waybill, "way-\(n)", docs.waybill),
                try input("platform", .order, "ord-\(n)", docs.order), try input("platform", .inventory, "inv-\(n)", docs.inventory),
            ]
        }

        mutating func disposition(_ n: Int, _ decision: BizRiskDecision, from reviewer: String = "customs", reason: String = "")
            throws -> FlowInput
        {
            var disposition = BizRiskDisposition()
            disposition.noticeID = FlowEngineRiskTests.noticeId(n)
            disposition.decision = decision
            disposition.reason = reason
            return try input(reviewer, .riskDisposition, "disp-\(n)-\(seq)", disposition, correlation: disposition.noticeID)
        }
    }

    static func noticeId(_ n: Int) -> String { "risk:platform:inv-\(n):consumer_quota" }

    static func feedbacks(_ out: [FlowEmission]) -> [BizFeedback] {
        out.filter { $0.type == MessageType.feedback.rawValue }.compactMap { try? BizFeedback(serializedBytes: $0.body) }
    }

    static func notices(_ out: [FlowEmission]) -> [String: (FlowEmission, BizRiskNotice)] {
        var notices: [String: (FlowEmission, BizRiskNotice)] = [:]
        for emission in out where emission.type == MessageType.riskNotice.rawValue {
            if let notice = try? BizRiskNotice(serializedBytes: emission.body) { notices[notice.rule] = (emission, notice) }
        }
        return notices
    }

    static func forwards(_ out: [FlowEmission]) -> [String] { out.map(\.id).filter { $0.hasPrefix("fwd:") } }

    /// An engine holding declaration 1, with what it emitted.
    static func held() throws -> (FlowEngine, Journal, [FlowEmission]) {
        var engine = try engine()
        var journal = Journal()
        var out: [FlowEmission] = []
        for input in try journal.registrations() + journal.declaration(1) { out += engine.journaled(input) }
        return (engine, journal, out)
    }

    @Test func aHoldingRuleHoldsTheDeclarationAndTellsCustomsAndTheFilers() throws {
        let (engine, _, out) = try Self.held()
        #expect(Self.forwards(out).isEmpty, "nothing goes to customs while held")
        let notices = Self.notices(out)
        let (quotaEmission, quota) = try #require(notices["consumer_quota"])
        #expect(quotaEmission.id == Self.noticeId(1) && quota.noticeID == Self.noticeId(1))
        #expect(quotaEmission.recipients == ["customs", "tax"] && quotaEmission.correlationId == "inv-1")
        #expect(quota.held && quota.disposition == .open && quota.reviewers == ["customs"] && quota.severity == "high")
        #expect(quota.subjectID == "inv-1" && quota.subjectFiler == "platform" && quota.enterpriseCode == "3301960001")
        #expect(quota.evidence.contains { $0.key == "purchase_cny" && $0.value == "760.50" })
        #expect(quota.personalEvidence.map(\.key) == ["buyer_id_number"])
        let (_, gap) = try #require(notices["value_gap"])
        #expect(!gap.held && gap.disposition == .notified && gap.reviewers.isEmpty)
        let feedback = try #require(Self.feedbacks(out).last { $0.subjectID == "inv-1" })
        #expect(feedback.state == .held && !feedback.final)
        #expect(feedback.reasons.contains { $0.contains("consumer_quota") && $0.contains(Self.noticeId(1)) })
        #expect(!feedback.reasons.joined().contains("330106"), "no buyer id in the filers' feedback")
        #expect(feedback.departments.first?.status == "held")
        #expect(engine.riskCounts["open"] == 1 && engine.riskCounts["notified"] == 1)
        #expect(engine.tally.counts[FlowTally.StateKey(kind: .declaration, state: "held")] == 1)
    }

    @Test func releaseForwardsTheDeclarationWhichGoesOnAsAnyOther() throws {
        var (engine, journal, _) = try Self.held()
        let out = engine.journaled(try journal.disposition(1, .release))
        #expect(
            Self.forwards(out) == [
                "fwd:platform:inv-1:order", "fwd:platform:inv-1:payment", "fwd:platform:inv-1:waybill", "fwd:platform:inv-1:inventory",
            ])
        #expect(out.filter { $0.id.hasPrefix("fwd:") }.allSatisfy { $0.recipients == ["customs"] })
        let feedback = try #require(Self.feedbacks(out).last)
        #expect(feedback.state == .pending && !feedback.final && feedback.reasons.isEmpty)
        #expect(engine.riskCounts["open"] == 0 && engine.riskCounts["released"] == 1)
        // Customs' receipt for the forwarded inventory finds it, as for any declaration.
        var receipt = BizReceipt()
        receipt.invtNo = "INV1"
        receipt.returnStatus = 800
        let released = engine.journaled(
            try journal.input("customs", .receipt, "rc-1", receipt, correlation: "fwd:platform:inv-1:inventory"))
        #expect(released.contains { $0.id == "rel:platform:inv-1" })
        #expect(Self.feedbacks(released).last?.state == .accepted)
        // A second disposition of the same notice changes nothing.
        #expect(engine.journaled(try journal.disposition(1, .refuse, reason: "late")).isEmpty)
    }

    @Test func refusalRefusesTheDeclarationWithTheReason() throws {
        var (engine, journal, _) = try Self.held()
        let out = engine.journaled(try journal.disposition(1, .refuse, reason: "年度限额可疑"))
        #expect(Self.forwards(out).isEmpty)
        let feedback = try #require(Self.feedbacks(out).last)
        #expect(feedback.state == .refused && feedback.final)
        #expect(feedback.reasons.contains { $0.contains("refused at pre-review by customs") && $0.contains("年度限额可疑") })
        #expect(feedback.documents.allSatisfy { $0.status == "not forwarded" })
        #expect(engine.declaration(FlowKey(sender: "platform", id: "inv-1")) == nil, "a final declaration is retired")
        #expect(engine.riskCounts["open"] == 0 && engine.riskCounts["refused"] == 1)
    }

    @Test func onlyReviewersMayDecideAndOnlyOpenHolds() throws {
        let (engine, _, _) = try Self.held()
        func admit(_ sender: String, _ noticeId: String, _ decision: BizRiskDecision, reason: String = "") throws -> HubFailure? {
            var disposition = BizRiskDisposition()
            disposition.noticeID = noticeId
            disposition.decision = decision
            disposition.reason = reason
            return engine.admit(type: "risk.Disposition", from: sender, recipients: [], body: try disposition.serializedBytes())
        }
        #expect(try admit("customs", Self.noticeId(1), .release) == nil)
        #expect(try admit("customs", Self.noticeId(1), .refuse, reason: "why") == nil)
        #expect(try admit("tax", Self.noticeId(1), .release)?.code == .notEntitled, "tax is told, not a reviewer")
        #expect(try admit("platform", Self.noticeId(1), .release)?.code == .notEntitled)
        #expect(try admit("customs", "risk:platform:inv-1:value_gap", .release)?.code == .notEntitled, "a notice without a hold")
        #expect(try admit("customs", "risk:platform:inv-9:consumer_quota", .release)?.code == .notEntitled)
        #expect(try admit("customs", Self.noticeId(1), .refuse)?.code == .malformedBody, "a refusal needs a reason")
        #expect(try admit("customs", Self.noticeId(1), .unspecified)?.code == .malformedBody)
        #expect(engine.admit(type: "risk.Disposition", from: "customs", recipients: [], body: [0x0A, 0x05])?.code == .malformedBody)
        #expect(engine.admit(type: "risk.Notice", from: "customs", recipients: [], body: [])?.code == .notEntitled)
    }

    @Test func aSnapshotKeepsTheOpenHold() throws {
        var (engine, journal, _) = try Self.held()
        let (config, policy) = try Self.setup()
        var restored = FlowEngine(config: config, policy: policy, snapshot: try FlowSnapshot(decoding: engine.snapshot().encoded()))
        #expect(restored.riskCounts == engine.riskCounts)
        let release = try journal.disposition(1, .release)
        #expect(restored.admit(type: release.type, from: "customs", recipients: [], body: release.body) == nil)
        let live = engine.journaled(release)
        #expect(restored.journaled(release) == live)
        #expect(Self.forwards(live).count == 4)
        // The rules' memory came along too: declaration 2 of the same day is assessed alike.
        let next = try journal.declaration(2)
        #expect(next.flatMap { engine.journaled($0) } == next.flatMap { restored.journaled($0) })
    }

    @Test func aDeclarationOfAnEnterpriseLinkedToABlacklistedOneIsNoticed() throws {
        let (config, policy) = try Self.setup(risk: "risk: {rules: {blacklist_links: {notify: [forex]}}}\n")
        var engine = FlowEngine(config: config, policy: policy)
        var journal = Journal()
        // The sample registrations share the contact telephone and the address.
        for input in try journal.registrations() { _ = engine.journaled(input) }
        var out = try journal.declaration(1).flatMap { engine.journaled($0) }
        #expect(Self.notices(out).isEmpty, "nobody is blacklisted yet")
        var listing = BizCreditNotice()
        listing.socialCreditCode = "91110000100000002C"  // post's
        listing.blacklisted = true
        _ = engine.journaled(try journal.input("tax", .creditNotice, "credit-1", listing))
        out = try journal.declaration(2).flatMap { engine.journaled($0) }
        let (emission, notice) = try #require(Self.notices(out)["blacklist_links"])
        #expect(emission.recipients == ["customs", "forex"] && !notice.held && notice.disposition == .notified)
        #expect(notice.evidence.contains { $0.key == "linked_enterprise" && $0.value == "91110000100000002C" })
        #expect(Set(notice.evidence.filter { $0.key == "shared" }.map(\.value)) == ["phone", "address"])
        #expect(Self.forwards(out).count == 4, "a rule that notifies holds nothing")
    }

    @Test func replayingTheJournalGivesTheSameNoticesAndDecisions() throws {
        var journal = Journal()
        var inputs = try journal.registrations() + journal.declaration(1) + journal.declaration(2)
        inputs.append(try journal.disposition(2, .refuse, reason: "no"))
        inputs.append(try journal.disposition(1, .release))
        var first = try Self.engine()
        var second = try Self.engine()
        let out = inputs.flatMap { first.journaled($0) }
        #expect(out == inputs.flatMap { second.journaled($0) })
        let ids = out.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.contains("fwd:platform:inv-1:inventory") && !ids.contains("fwd:platform:inv-2:inventory"))
    }
}
