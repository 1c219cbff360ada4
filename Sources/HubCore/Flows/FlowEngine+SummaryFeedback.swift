import HubProtocol

/// Feedback to the enterprises about their summary declarations (汇总申报): the filers of
/// the summarized inventories (and an enterprise or agent that requested the summary) are
/// told when the hub sends a summary to customs (PENDING, `forwarded`), at each of customs'
/// receipts for it (CEB702: `status` its returnStatus, `code` its sum_no; 100 is final
/// REFUSED), and when customs' result (CEB792) comes (final ACCEPTED, `code` the entryId).
/// `subject_type` is `ceb.SummaryDeclaration`, `subject_id` the summary's id (`sum:…`, its
/// `cop_no`), filed by `hub`; `subject_key` the enterprise's `ebc_code`.
extension FlowEngine {
    /// The feedback about summary `id` to the parties told about it, none when nobody is
    /// (a summary of another hub's time, or whose traces are gone).
    mutating func summaryFeedback(
        _ id: String, ebcCode: String, status: String, code: String, info: String, decision: BizDecision
    ) -> [FlowEmission] {
        guard let filers = summaryFilers[id], !filers.isEmpty else { return [] }
        var feedback = BizFeedback()
        feedback.subjectType = MessageType.summaryDeclaration.rawValue
        feedback.subjectID = id
        feedback.subjectKey = ebcCode
        var department = BizDepartmentStatus()
        department.department = customsParties.first ?? ""
        department.decision = decision
        department.status = status
        department.code = code
        department.reason = info
        department.updatedAtUs = nowUs
        feedback.departments = [department]
        feedback.updatedAtUs = nowUs
        switch decision {
        case .accepted: feedback.state = .accepted
        case .refused: feedback.state = .refused
        default:
            feedback.state = .pending
            feedback.pendingDepartments = [department.department]
        }
        feedback.final = decision == .accepted || decision == .refused
        let subject = FlowKey(sender: HubConfig.hubParty, id: id)
        let emission = self.feedback(feedback, subject: subject, to: filers)
        if feedback.final {
            tally.forget(subject)
            summaryFilers[id] = nil
        }
        return [emission]
    }
}
