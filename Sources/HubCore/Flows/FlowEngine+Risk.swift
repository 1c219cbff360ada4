import HubProtocol

/// Risk control (风险防控) in the flows: every matched declaration goes through the risk
/// rules (``RiskRules``); each hit is a `risk.Notice` to customs, the rule's departments and
/// its reviewers; a rule set to hold keeps the declaration from customs until its reviewers
/// release it (forwarded, as any other) or refuse it (final REFUSED) with a
/// `risk.Disposition`.
extension FlowEngine {
    /// What the rules decided about one declaration.
    struct RiskAssessment {
        /// The notices to emit.
        var notices: [FlowEmission] = []
        /// Whether the declaration is held (not forwarded).
        var held = false
        /// The held declaration's first feedback, instead of the started flow's.
        var flowActions: [DeclarationFlow.Action] = []
    }

    /// Runs the rules on the declaration just started under `key` (`matched`: it passed
    /// 三单对碰; otherwise it only counts in its enterprise's volume).
    mutating func assessRisk(_ key: FlowKey, matched: Bool) -> RiskAssessment {
        let settings = config.risk
        guard settings.isOn, let flow = declarations[key] else { return RiskAssessment() }
        let inventory = flow.declaration.inventory.document
        guard matched else {
            risk.noteDeclared(ebcCode: inventory.ebcCode, atUs: nowUs, settings: settings)
            return RiskAssessment()
        }
        let enterprise = customsCodes[inventory.ebcCode] ?? partyCreditCode[key.sender]
        let facts = RiskFacts(flow.declaration, enterprise: enterprise, rates: config.statistics, atUs: nowUs)
        let credit = self.credit
        // The blacklisted enterprises, sorted, only when `blacklist_links` reads them.
        let blacklisted = settings.runs(.blacklistLinks) ? credit.blacklistedEnterprises : []
        let hits = risk.assess(facts, settings: settings, blacklisted: blacklisted) { credit.refusalReason($0) }
        var result = RiskAssessment()
        var reasons: [String] = []
        for hit in hits {
            guard let rule = settings.rules[hit.rule] else { continue }
            let id = HubMessageId.riskNotice(filer: key.sender, inventoryId: key.id, rule: hit.rule.rawValue)
            let holds = rule.action == .hold && !rule.reviewers.isEmpty
            var notice = BizRiskNotice()
            notice.noticeID = id.description
            notice.rule = hit.rule.rawValue
            notice.subjectType = MessageType.inventory.rawValue
            notice.subjectID = key.id
            notice.subjectKey = inventory.orderNo
            notice.subjectFiler = key.sender
            notice.enterpriseCode = hit.enterpriseCode ?? inventory.ebcCode
            notice.enterpriseName = hit.enterpriseCode == nil ? inventory.ebcName : ""
            notice.severity = rule.severity
            notice.evidence = hit.evidence.map(Self.evidence)
            notice.personalEvidence = hit.personal.map(Self.evidence)
            notice.relatedIds = hit.relatedIds
            notice.disposition = holds ? .open : .notified
            notice.held = holds
            notice.reviewers = holds ? rule.reviewers : []
            notice.detectedAtUs = nowUs
            var recipients: [String] = []
            for party in [flow.customs] + rule.notify + notice.reviewers where !recipients.contains(party) { recipients.append(party) }
            result.notices.append(
                FlowEmission(id, type: .riskNotice, recipients: recipients, correlationId: key.id, body: Self.bytes(notice)))
            if holds {
                riskLedger.opened(
                    id.description, RiskLedger.Hold(rule: hit.rule.rawValue, subject: key, reviewers: rule.reviewers, openedAtUs: nowUs))
                reasons.append("held for pre-review by risk rule \(hit.rule.rawValue) (notice \(id))")
            } else {
                riskLedger.notified()
            }
        }
        if !reasons.isEmpty, var held = declarations[key] {
            held.hold = reasons
            declarations[key] = held
            result.held = true
            result.flowActions = [.feedback(held.feedback)]
        }
        return result
    }

    private static func evidence(_ item: RiskHit.Evidence) -> BizRiskEvidence {
        var evidence = BizRiskEvidence()
        evidence.key = item.key
        evidence.value = item.value
        return evidence
    }

    /// The open holds (集中预审核 waiting for a reviewer), the longest-held first: notice
    /// id and hold.
    public var openRiskHolds: [(noticeId: String, hold: RiskLedger.Hold)] {
        riskLedger.open.map { (noticeId: $0.key, hold: $0.value) }.sorted {
            ($0.hold.openedAtUs ?? 0, $0.noticeId) < ($1.hold.openedAtUs ?? 0, $1.noticeId)
        }
    }

    /// A reviewer's decision (admitted: the notice's hold was open and the sender one of
    /// its reviewers; checked again, so that the journal alone decides).
    mutating func riskDisposition(_ disposition: BizRiskDisposition, _ input: FlowInput) -> [FlowEmission] {
        guard let hold = riskLedger.open[disposition.noticeID], hold.reviewers.contains(input.sender),
            disposition.decision == .release || disposition.decision == .refuse
        else { return [] }
        switch riskLedger.decide(disposition.noticeID, release: disposition.decision == .release) {
        case .release(let key)?:
            guard var flow = declarations[key] else { return [] }
            flow.hold = nil
            flow.updatedAtUs = max(flow.updatedAtUs, nowUs)
            declarations[key] = flow
            return forwardToCustoms(flow.declaration, key: key, customs: flow.customs)
                + declarationFlowActions([.feedback(flow.feedback)], key: key, receipt: nil)
        case .refuse(let key)?:
            guard var flow = declarations[key] else { return [] }
            flow.hold = nil
            let reason = disposition.reason.isEmpty ? "" : ": \(disposition.reason)"
            flow.reviewRefusal =
                "refused at pre-review by \(input.sender) (risk rule \(hold.rule), notice \(disposition.noticeID))\(reason)"
            flow.updatedAtUs = max(flow.updatedAtUs, nowUs)
            declarations[key] = flow
            return declarationFlowActions([.feedback(flow.feedback)], key: key, receipt: nil)
        case .stillHeld?, nil:
            return []
        }
    }

    /// Every feedback about a subject passes here: a declaration's final refusal counts in
    /// its enterprise's refusal rate, a refused or withdrawn purchase leaves its buyer's
    /// quota, and the holds of a declaration that ended close.
    mutating func noteRiskFeedback(_ feedback: BizFeedback, subject: FlowKey) {
        guard feedback.final, feedback.subjectType == MessageType.inventory.rawValue else { return }
        risk.settle(subject, counted: feedback.state == .accepted)
        if feedback.state == .refused, let inventory = declarations[subject]?.declaration.inventory.document {
            risk.noteRefused(ebcCode: inventory.ebcCode, atUs: nowUs, settings: config.risk)
        }
        if riskLedger.isHeld(subject) { riskLedger.close(subject) }
    }

    /// A journaled registration: its contacts and accounts, for `blacklist_links`.
    mutating func noteRiskRegistration(_ input: FlowInput) {
        guard config.risk.runs(.blacklistLinks), let registration = try? BizRegistration(serializedBytes: input.body) else { return }
        risk.noteRegistration(registration)
    }

    /// Why a risk message of `party` may not enter the journal, if it may not.
    func riskRefusal(type: String, of party: String, body: [UInt8]) throws -> HubFailure? {
        guard type == MessageType.riskDisposition.rawValue else {
            return HubFailure(.notEntitled, "'\(party)' may not send \(type): only the hub's flows emit it")
        }
        let disposition = try BizRiskDisposition(serializedBytes: body)
        guard let hold = riskLedger.open[disposition.noticeID] else {
            return HubFailure(
                .notEntitled, "'\(party)' may not send \(type): no hold is open under notice id '\(disposition.noticeID)'")
        }
        guard hold.reviewers.contains(party) else {
            return HubFailure(
                .notEntitled,
                "'\(party)' may not send \(type): only \(hold.reviewers.joined(separator: ", ")) review holds of risk rule \(hold.rule)")
        }
        switch disposition.decision {
        case .release: return nil
        case .refuse:
            guard !disposition.reason.isEmpty else { return HubFailure(.malformedBody, "a \(type) that refuses needs a reason") }
            return nil
        default:
            return HubFailure(.malformedBody, "\(type).decision must be RISK_DECISION_RELEASE or RISK_DECISION_REFUSE")
        }
    }

    /// The risk hits by disposition (open, notified, released, refused, closed).
    public var riskCounts: [String: Int] { riskLedger.counts }
}
