import Foundation
import HubProtocol

/// Interchange: a `flow.Query` relayed to the department is answered from the messages it
/// kept.
extension SimulatedDepartment {
    /// The `flow.Answer` to a query, addressed to the asker (the delivered sender; no
    /// explicit recipient when the hub itself asked), `correlation_id` = the query's id, id
    /// `answer:<asker>:<query id>`. ACCEPTED with the kept messages of the subject that
    /// match every criterion (the latest `limit` of them, oldest first, reduced to `fields`
    /// when the query names some) and `total` = how many matched; REFUSED with code 412
    /// when the body is not a query.
    mutating func answer(_ body: [UInt8], header: WireHeader) -> Reply {
        let asker = header.sender
        let recipients = asker.isEmpty || asker == Self.hubParty ? [] : [asker]
        let id = "answer:\(Self.subjectKey(header))"
        var answer = BizAnswer()
        guard let query = decode(BizQuery.self, body) else {
            answer.decision = .refused
            answer.code = HubErrorCode.malformedBody.rawValue
            answer.reason = "the query's body is not a swhub.v1.Query"
            return reply(.answer, answer, correlationId: header.id, recipients: recipients, id: id)
        }
        stats.queries += 1
        let matches = kept.matching(type: query.subject, criteria: query.criteria)
        let limit = query.limit == 0 ? options.defaultQueryLimit : Int(query.limit)
        answer.decision = .accepted
        answer.total = UInt32(clamping: matches.count)
        answer.records = matches.suffix(limit).map { record in
            var item = BizAnswerRecord()
            item.type = record.type
            item.body = Data(KeptRecords.project(record.body, type: record.type, fields: query.fields))
            return item
        }
        if BusinessTypes.message(for: query.subject) == nil {
            answer.reason = "\(party) keeps no messages of type '\(query.subject)'"
        }
        return reply(.answer, answer, correlationId: header.id, recipients: recipients, id: id)
    }
}
