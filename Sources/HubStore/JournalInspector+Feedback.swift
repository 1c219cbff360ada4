import HubCore
import HubProtocol

extension JournalInspector {
    /// The unified feedback the hub sent about one filing, for one filer of that id.
    public struct FeedbackHistory: Sendable {
        /// The party that filed it.
        public var filer: String
        /// The feedback messages as journaled, oldest first.
        public var records: [JournalRecord]
        /// The same, decoded.
        public var feedback: [BizFeedback]
    }

    /// The feedback about the filing (a registration or a declaration's inventory) with
    /// message id `subjectId`, one history per filer that used that id, in order of first
    /// feedback. Feedback ids are `fb:<subject id>:<subject sender>:<n>` (the subject id
    /// itself may hold colons), so this is one range of the (sender, id) index.
    public func feedback(subjectId: String) throws -> [FeedbackHistory] {
        var histories: [FeedbackHistory] = []
        for record in try records(sender: HubConfig.hubParty, idPrefix: HubMessageId.Kind.feedback.prefix + subjectId + ":") {
            guard case .feedback(subjectId, let filer, _) = HubMessageId(record.id),
                let feedback = try? BizFeedback(serializedBytes: record.body)
            else { continue }
            if let index = histories.firstIndex(where: { $0.filer == filer }) {
                histories[index].records.append(record)
                histories[index].feedback.append(feedback)
            } else {
                histories.append(FeedbackHistory(filer: filer, records: [record], feedback: [feedback]))
            }
        }
        return histories
    }
}
