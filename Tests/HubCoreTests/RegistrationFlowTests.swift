import HubCore
import HubProtocol
import Testing

@Suite("Registration flow: file once, every department answers, unified feedback")
struct RegistrationFlowTests {
    static let departments = ["customs", "tax", "forex", "post", "bank-boc"]
    static let t0: Int64 = 1_800_000_000_000_000
    static let timeout: Int64 = 60_000_000

    static func start() -> (RegistrationFlow, [RegistrationFlow.Action]) {
        var registration = BizRegistration()
        registration.socialCreditCode = "91330108MA27Y5XK3F"
        registration.name = "杭州某跨境电商有限公司"
        return RegistrationFlow.start(
            registration: registration, id: "reg-1", enterprise: "enterprise", departments: departments + ["tax"],
            journaledAtUs: t0, timeoutUs: timeout)
    }

    static func result(_ decision: BizDecision, code: String = "", reason: String = "") -> BizRegistrationResult {
        var result = BizRegistrationResult()
        result.socialCreditCode = "91330108MA27Y5XK3F"
        result.decision = decision
        result.code = code
        result.reason = reason
        return result
    }

    static func feedback(_ actions: [RegistrationFlow.Action]) -> BizFeedback? {
        for case .feedback(let feedback) in actions { return feedback }
        return nil
    }

    @Test func startSharesWithEveryDepartmentOnceAndReportsAllPending() throws {
        let (flow, actions) = Self.start()
        #expect(actions.first == .share(to: Self.departments))
        let feedback = try #require(Self.feedback(actions))
        #expect(feedback.state == .pending)
        #expect(feedback.pendingDepartments == Self.departments)
        #expect(feedback.subjectID == "reg-1" && feedback.subjectKey == "91330108MA27Y5XK3F")
        #expect(feedback.subjectType == "reg.Registration")
        #expect(!feedback.final && !flow.isFinal)
    }

    @Test func feedbackAtEveryAnswerAndAFinalOneWhenAllHaveAnswered() throws {
        var (flow, _) = Self.start()
        var feedbacks: [BizFeedback] = []
        for (index, department) in Self.departments.enumerated() {
            let actions = flow.result(Self.result(.accepted, code: "C-\(index)"), from: department, atUs: Self.t0 + Int64(index + 1))
            feedbacks.append(try #require(Self.feedback(actions)))
        }
        #expect(feedbacks.map(\.pendingDepartments.count) == [4, 3, 2, 1, 0])
        #expect(feedbacks.dropLast().allSatisfy { $0.state == .pending && !$0.final })
        let last = try #require(feedbacks.last)
        #expect(last.state == .accepted && last.final)
        #expect(last.departments.map(\.code) == ["C-0", "C-1", "C-2", "C-3", "C-4"])
        #expect(flow.isFinal)
        // Nothing follows the final feedback.
        #expect(flow.result(Self.result(.refused), from: "customs", atUs: Self.t0 + 99).isEmpty)
        #expect(flow.tick(nowUs: Self.t0 + Self.timeout * 2).isEmpty)
    }

    @Test func refusalsGiveReasonsAndTheMixedOutcome() throws {
        var (flow, _) = Self.start()
        var last: BizFeedback?
        for department in Self.departments {
            let decision: BizDecision = department == "tax" ? .refused : .accepted
            last = Self.feedback(
                flow.result(Self.result(decision, reason: department == "tax" ? "未办理退税备案" : ""), from: department, atUs: Self.t0 + 1))
        }
        #expect(last?.state == .partiallyAccepted)
        #expect(last?.reasons == ["tax: 未办理退税备案"])

        var (all, _) = Self.start()
        for department in Self.departments { last = Self.feedback(all.result(Self.result(.refused), from: department, atUs: Self.t0 + 1)) }
        #expect(last?.state == .refused)
        #expect(last?.reasons.count == 5)
    }

    @Test func theDeadlineGivesAFinalFeedbackNamingTheSilent() throws {
        var (flow, _) = Self.start()
        _ = flow.result(Self.result(.accepted), from: "customs", atUs: Self.t0 + 1)
        _ = flow.result(Self.result(.accepted), from: "tax", atUs: Self.t0 + 2)
        #expect(flow.tick(nowUs: Self.t0 + Self.timeout - 1).isEmpty)
        let feedback = try #require(Self.feedback(flow.tick(nowUs: Self.t0 + Self.timeout)))
        #expect(feedback.state == .expired && feedback.final)
        #expect(feedback.pendingDepartments == ["forex", "post", "bank-boc"])
        #expect(feedback.updatedAtUs == Self.t0 + Self.timeout)
        #expect(flow.tick(nowUs: Self.t0 + Self.timeout + 1).isEmpty)
    }

    @Test func strangersAndRepeatsChangeNothing() throws {
        var (flow, _) = Self.start()
        #expect(flow.result(Self.result(.accepted), from: "someone-else", atUs: Self.t0 + 1).isEmpty)
        #expect(!flow.result(Self.result(.accepted), from: "customs", atUs: Self.t0 + 2).isEmpty)
        #expect(flow.result(Self.result(.accepted), from: "customs", atUs: Self.t0 + 3).isEmpty, "the same answer again")
        let changed = try #require(Self.feedback(flow.result(Self.result(.refused, reason: "证照过期"), from: "customs", atUs: Self.t0 + 4)))
        #expect(changed.departments.first?.decision == .refused)
        // A "pending" (still processing) answer keeps the department pending.
        let processing = try #require(Self.feedback(flow.result(Self.result(.pending, code: "P"), from: "tax", atUs: Self.t0 + 5)))
        #expect(processing.pendingDepartments.contains("tax"))
    }

    @Test func replayingTheSameEventsGivesTheSameFeedback() {
        func run() -> [RegistrationFlow.Action] {
            var (flow, actions) = Self.start()
            actions += flow.result(Self.result(.accepted), from: "post", atUs: Self.t0 + 10)
            actions += flow.result(Self.result(.refused, reason: "x"), from: "forex", atUs: Self.t0 + 20)
            actions += flow.tick(nowUs: Self.t0 + Self.timeout)
            return actions
        }
        #expect(run() == run())
    }
}
