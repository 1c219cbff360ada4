import HubProtocol

/// 清单核放、汇总申报: released export inventories aggregated into summary declarations for
/// customs, on schedule (each UTC day, once it is over) and on request; customs' results,
/// with their entryId, shared with tax, forex and the paying banks.
extension FlowEngine {
    /// Once a UTC day is over, its released, not yet summarized export inventories.
    mutating func scheduledSummaries() -> [FlowEmission] {
        let today = Self.day(nowUs)
        guard today != lastScheduledDay else { return [] }
        lastScheduledDay = today
        let days = Set(released.filter { !summarized.contains($0.invtNo) && $0.releaseDate < today }.map(\.releaseDate))
        return days.sorted().flatMap { day in summaries(from: day, to: day, ebcCode: "", correlationId: "", requester: nil) }
    }

    mutating func summaryRequest(_ request: BizSummaryRequest, _ input: FlowInput) -> [FlowEmission] {
        let today = Self.day(nowUs)
        // Without a start date the period starts at the first release it summarizes (not
        // at "00000000", which CEB701 would carry as its startTime).
        let firstRelease = released.filter { item in
            !summarized.contains(item.invtNo) && item.ieFlag == "E" && (request.ebcCode.isEmpty || item.ebcCode == request.ebcCode)
        }.map(\.releaseDate).min()
        let start = request.startDate.isEmpty ? firstRelease ?? today : request.startDate
        let end = request.endDate.isEmpty ? today : request.endDate
        // The requester hears about the summaries too, unless it is customs (which gets them).
        let requester = customsParties.contains(input.sender) ? nil : input.sender
        return summaries(from: start, to: end, ebcCode: request.ebcCode, correlationId: input.id, requester: requester)
    }

    /// Summary declarations of the released export inventories of the period not yet in a
    /// summary, optionally of one enterprise only; the filers of their inventories (and
    /// `requester`) get feedback about each.
    private mutating func summaries(from start: String, to end: String, ebcCode: String, correlationId: String, requester: String?)
        -> [FlowEmission]
    {
        let candidates = released.filter { item in
            !summarized.contains(item.invtNo) && (ebcCode.isEmpty || item.ebcCode == ebcCode)
        }
        guard let customs = customsParties.first else { return [] }
        let first = summaryCount + 1
        let summaries = SummaryAggregator.summaries(of: candidates, from: start, to: end) { index in
            Self.summaryId(first + index)
        }
        var out: [FlowEmission] = []
        defer {
            // Summarized inventories are no candidates any more (their numbers stay
            // summarized for flows.keep_finished_hours).
            if !summaries.isEmpty {
                released.removeAll { summarized.contains($0.invtNo) }
                for summary in summaries {
                    for number in summary.invtNo {
                        releasedPayers[number] = nil
                        releasedFilers[number] = nil
                    }
                }
            }
        }
        for var summary in summaries {
            summaryCount += 1
            let id = summary.copNo
            summary.appTime = Self.appTime(nowUs)
            summarized.formUnion(summary.invtNo)
            noteSummarized(summary.invtNo, summaryId: id)
            var payers: [String] = []
            for number in summary.invtNo {
                if let payer = releasedPayers[number], !payers.contains(payer) { payers.append(payer) }
            }
            summaryPayers[id] = payers
            var filers: [String] = []
            for party in summary.invtNo.compactMap({ releasedFilers[$0] }) + [requester].compactMap({ $0 }) where !filers.contains(party) {
                filers.append(party)
            }
            if !filers.isEmpty { summaryFilers[id] = filers }
            traces.append(.summary(id: id, invtNos: summary.invtNo), atUs: nowUs)
            out.append(
                FlowEmission(
                    id: id, type: MessageType.summaryDeclaration.rawValue, recipients: [customs], correlationId: correlationId,
                    body: Self.bytes(summary)))
            out += summaryFeedback(id, ebcCode: summary.ebcCode, status: "forwarded", code: "", info: "", decision: .pending)
        }
        return out
    }

    mutating func summaryResult(_ input: FlowInput) -> [FlowEmission] {
        guard customsParties.contains(input.sender) else { return [] }
        // The summary it answers: by correlation, or by customs' sum_no from the summary's receipt.
        var summaryId = input.correlationId
        if summaryPayers[summaryId] == nil, let result = try? BizSummaryResult(serializedBytes: input.body) {
            summaryId = summaryBySumNo[result.sumNo] ?? summaryId
        }
        var recipients: [String] = []
        for party in parties(.tax) + parties(.forex) + (summaryPayers[summaryId] ?? []) where !recipients.contains(party) {
            recipients.append(party)
        }
        heldRecent.append(HeldRecord(type: .summaryResult, body: input.body, recipients: recipients), atUs: nowUs)
        let result = try? BizSummaryResult(serializedBytes: input.body)
        let told = summaryFeedback(
            summaryId, ebcCode: result?.ebcCode ?? "", status: "result", code: result?.entryID ?? "",
            info: result.map { "entry_id \($0.entryID)" } ?? "", decision: .accepted)
        return told + [
            FlowEmission(
                .summaryResultShare(customs: input.sender, resultId: input.id), type: .summaryResult, recipients: recipients,
                correlationId: input.id, body: input.body)
        ]
    }

    static func summaryId(_ n: Int) -> String {
        HubMessageId.summary(number: n).description
    }

    /// YYYYMMDDhhmmss (UTC) of a journal time, as the standard writes appTime.
    static func appTime(_ us: Int64) -> String {
        let seconds = Int(us / 1_000_000)
        let inDay = ((seconds % 86_400) + 86_400) % 86_400
        let clock = [inDay / 3600, inDay % 3600 / 60, inDay % 60].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined()
        return day(us) + clock
    }
}
