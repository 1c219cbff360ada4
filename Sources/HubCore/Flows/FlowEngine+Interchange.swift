import Foundation
import HubProtocol
import SwiftProtobuf

/// Interchange (信息互换): queries answered from what the hub holds or relayed to a
/// department, with a timeout; and credit notices (信用) shared with every department.
extension FlowEngine {
    /// The types the hub holds and answers queries about itself.
    static let heldTypes: Set<MessageType> = [.releaseNotice, .summaryResult, .registration, .creditNotice]
    /// The held types kept for `flows.keep_finished_hours` only (``FlowEngine/heldRecent``).
    static let recentTypes: Set<MessageType> = [.releaseNotice, .summaryResult]

    /// Whether `party` may ask about `subject`: customs about everything, the other
    /// departments about what the hub shares with them and what they subscribe to,
    /// enterprises about nothing.
    func mayQuery(_ party: String, subject: String) -> Bool {
        guard let entry = config.party(party) else { return false }
        if entry.roles.contains(.customs) { return true }
        guard entry.roles.contains(where: \.isDepartment) else { return false }
        return Self.heldTypes.contains(MessageType(subject)) || entry.subscribes.contains(subject)
    }

    mutating func query(_ query: BizQuery, _ input: FlowInput) -> [FlowEmission] {
        let relayedTo = input.recipients.filter { $0 != input.sender && $0 != HubConfig.hubParty }
        if !relayedTo.isEmpty {
            let deadline = input.journaledAtUs + settings.queryTimeoutMs * 1000
            pendingQueries["\(input.sender)|\(input.id)"] = PendingQuery(
                asker: input.sender, id: input.id, relayedTo: relayedTo, deadlineUs: deadline)
            nextQueryDeadline = min(nextQueryDeadline, deadline)
            return []
        }
        var answer = BizAnswer()
        answer.decision = .accepted
        let subject = MessageType(query.subject)
        let recent = Self.recentTypes.contains(subject)
        // The records keep the values of the fields asked about so far: a query naming
        // another field has them worked out again, with it.
        let asked = Set(query.criteria.keys)
        let known = queriedFields[subject, default: []]
        let names = known.union(asked)
        let again = !asked.isSubset(of: known)
        queriedFields[subject] = names
        let source = bodySource
        func workOut(_ record: inout HeldRecord) {
            guard record.type == subject else { return }
            if again { record.knownFields = nil }
            guard record.knownFields == nil else { return }
            // No field asked about yet (a query without criteria): no body to read.
            guard !names.isEmpty else {
                record.knownFields = KnownFields([:])
                return
            }
            record.workOutFields(names, body: Self.body(of: record, from: source) ?? [])
        }
        if recent {
            heldRecent.updateEach { workOut(&$0) }
        } else {
            for index in held.indices { workOut(&held[index]) }
        }
        // Read in place: a copy of a day of held records for every query would be megabytes.
        var matched: [HeldRecord] = []
        let anyRecipient = customsParties.contains(input.sender)
        func consider(_ record: HeldRecord) {
            guard record.type == subject, anyRecipient || record.recipients.contains(input.sender),
                Self.matches(record, criteria: query.criteria)
            else { return }
            matched.append(record)
        }
        if recent {
            heldRecent.forEach(consider)
        } else {
            held.forEach(consider)
        }
        answer.total = UInt32(matched.count)
        let limit = query.limit == 0 ? 100 : Int(query.limit)
        let summaryResults = heldRecent.filter { $0.type == .summaryResult }
        for record in matched.prefix(limit) {
            let body = Self.body(of: record, from: bodySource) ?? []
            answer.records.append(answerRecord(record, body: body, for: input.sender))
            if record.type == .releaseNotice, let notice = try? BizReleaseNotice(serializedBytes: body) {
                // The summary result that covers the released inventory carries its entryId.
                for result in summaryResults where Self.covers(result, invtNo: notice.invtNo) {
                    answer.records.append(answerRecord(result, body: result.body, for: input.sender))
                }
            }
        }
        if matched.isEmpty { answer.reason = "nothing matched" }
        return [
            FlowEmission(
                .answer(asker: input.sender, queryId: input.id), type: .answer, recipients: [input.sender], correlationId: input.id,
                body: Self.bytes(answer))
        ]
    }

    /// A department answered a relayed query: it is no longer waiting.
    mutating func answer(_ input: FlowInput) {
        for (key, pending) in pendingQueries where pending.id == input.correlationId && pending.relayedTo.contains(input.sender) {
            pendingQueries[key] = nil
        }
    }

    mutating func expireQueries() -> [FlowEmission] {
        var out: [FlowEmission] = []
        var next = Int64.max
        for key in pendingQueries.keys.sorted() {
            guard let pending = pendingQueries[key] else { continue }
            guard nowUs >= pending.deadlineUs else {
                next = min(next, pending.deadlineUs)
                continue
            }
            pendingQueries[key] = nil
            var answer = BizAnswer()
            answer.decision = .refused
            answer.code = HubErrorCode.queryTimeout.rawValue
            answer.reason = "\(pending.relayedTo.joined(separator: ", ")) did not answer within \(settings.queryTimeoutMs) ms"
            out.append(
                FlowEmission(
                    .answer(asker: pending.asker, queryId: pending.id), type: .answer, recipients: [pending.asker],
                    correlationId: pending.id, body: Self.bytes(answer)))
        }
        nextQueryDeadline = next
        return out
    }

    mutating func creditNotice(_ notice: BizCreditNotice, _ input: FlowInput) -> [FlowEmission] {
        var out: [FlowEmission] = []
        if !notice.customsCode.isEmpty && !notice.socialCreditCode.isEmpty {
            customsCodes[notice.customsCode] = notice.socialCreditCode
        }
        for action in credit.notice(notice, from: input.sender) {
            switch action {
            case .share:
                let recipients = departments.filter { $0 != input.sender }
                held.append(HeldRecord(type: .creditNotice, body: input.body, recipients: departments))
                out.append(
                    FlowEmission(
                        .creditShare(issuer: input.sender, noticeId: input.id), type: .creditNotice, recipients: recipients,
                        correlationId: input.id, body: input.body))
            case .flagInProgress(let enterprise, let reason):
                out += flagFlows(of: enterprise, reason: "flagged: \(reason)")
            case .lifted:
                break
            }
        }
        return out
    }

    /// Feedback on every flow in progress of the enterprise with this social credit code.
    private mutating func flagFlows(of enterprise: String, reason: String) -> [FlowEmission] {
        var out: [FlowEmission] = []
        for key in registrations.keys.sorted(by: { ($0.sender, $0.id) < ($1.sender, $1.id) }) {
            guard var flow = registrations[key], flow.subjectKey == enterprise else { continue }
            let actions = flow.flag(reason, atUs: nowUs)
            registrations[key] = flow
            out += registrationActions(actions, key: key, body: [], shareId: "")
        }
        let parties = Set(partyCreditCode.filter { $0.value == enterprise }.map(\.key))
        let codes = Set(customsCodes.filter { $0.value == enterprise }.map(\.key))
        for key in declarations.keys.sorted(by: { ($0.sender, $0.id) < ($1.sender, $1.id) }) {
            guard var flow = declarations[key] else { continue }
            let inventory = flow.declaration.inventory.document
            guard !parties.isDisjoint(with: flow.filers) || codes.contains(inventory.ebcCode) || codes.contains(inventory.ebpCode) else {
                continue
            }
            let actions = flow.flag(reason, atUs: nowUs)
            declarations[key] = flow
            out += declarationFlowActions(actions, key: key, receipt: nil)
        }
        return out
    }

    private func answerRecord(_ record: HeldRecord, body: [UInt8], for asker: String) -> BizAnswerRecord {
        var out = BizAnswerRecord()
        out.type = record.type.rawValue
        out.body = Data((try? policy.redactor(for: asker, type: record.type.rawValue)?.redact(body)) ?? body)
        return out
    }

    /// Whether every criteria entry equals the record's field of that (proto) name (worked
    /// out for the criteria's names: ``HeldRecord/workOutFields(_:)``).
    static func matches(_ record: HeldRecord, criteria: [String: String]) -> Bool {
        let fields = record.knownFields ?? KnownFields(fields(type: record.type, body: record.parked ? [] : record.body))
        return criteria.allSatisfy { name, value in fields[name] == value }
    }

    /// The top-level scalar fields of a held message as text, by proto field name (the
    /// ProtoJSON rendering: numbers as digits, booleans as true/false; unset fields absent).
    static func fields(type: MessageType, body: [UInt8]) -> [String: String] {
        let message: (any SwiftProtobuf.Message)?
        switch type {
        case .releaseNotice: message = try? BizReleaseNotice(serializedBytes: body)
        case .summaryResult: message = try? BizSummaryResult(serializedBytes: body)
        case .registration: message = try? BizRegistration(serializedBytes: body)
        case .creditNotice: message = try? BizCreditNotice(serializedBytes: body)
        default: message = nil
        }
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        options.alwaysPrintInt64sAsNumbers = true
        guard let json = try? message?.jsonUTF8Data(options: options),
            let object = try? JSONDecoder().decode([String: Scalar].self, from: json)
        else { return [:] }
        return object.compactMapValues(\.text)
    }

    /// A top-level JSON value: a scalar as text, anything else (lists, messages) nil.
    private struct Scalar: Decodable {
        var text: String?

        init(from decoder: any Swift.Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(String.self) {
                text = value
            } else if let value = try? container.decode(Bool.self) {
                text = value ? "true" : "false"
            } else if let value = try? container.decode(Int64.self) {
                text = String(value)
            } else if let value = try? container.decode(Double.self) {
                text = String(value)
            } else {
                text = nil
            }
        }
    }

    private static func covers(_ result: HeldRecord, invtNo: String) -> Bool {
        guard !invtNo.isEmpty, let decoded = try? BizSummaryResult(serializedBytes: result.body) else { return false }
        return decoded.summaryResultList.contains { $0.invtNo == invtNo }
    }
}
