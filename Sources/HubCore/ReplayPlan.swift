import HubProtocol

/// A REPLAY request, checked against the configuration and the policy: whose stream, from
/// where, which types, and whether it follows live traffic afterwards.
public struct ReplayPlan: Sendable, Equatable {
    /// Where the replay begins.
    public enum Start: Sendable, Equatable {
        /// The first message with seq ≥ this.
        case seq(UInt64)
        /// The first message journaled at or after this time, µs since the Unix epoch.
        case time(Int64)
    }

    /// The party that asked (and watches).
    public let observer: String
    /// The party whose stream is replayed.
    public let party: String
    public let start: Start
    /// Only these types; empty means every type.
    public let types: Set<String>
    /// Keep delivering live after catching up.
    public let follow: Bool
    /// Most unacknowledged deliveries at once.
    public let credit: Int

    /// The types as a sorted list (for the journal's query); empty means every type.
    public var typeList: [String] { types.sorted() }

    /// Whether a message of `type` belongs to this replay.
    public func wants(type: String) -> Bool { types.isEmpty || types.contains(type) }

    /// Checks `request` from the authenticated `observer`.
    ///
    /// Refusals: `407 UNKNOWN_RECIPIENT` for a party that is not configured, `415 NOT_ENTITLED`
    /// when the policy does not let `observer` replay that party's stream, `404 UNKNOWN_TYPE`
    /// for an undeclared type, `416 BAD_REPLAY` for both `from_seq` and `since_us`, a negative
    /// `since_us` or a `from_seq` beyond 2^63 − 1.
    public static func make(
        _ request: WireReplay, observer: String, routing: RoutingTable, observers: ObserverPolicy, defaultCredit: Int
    ) -> Result<ReplayPlan, HubFailure> {
        let party = request.party.isEmpty ? observer : request.party
        guard routing.knows(party: party) else {
            return .failure(HubFailure(.unknownRecipient, "party '\(party.prefix(64))' is not configured"))
        }
        guard observers.mayReplay(observer, stream: party) else {
            return .failure(
                HubFailure(.notEntitled, "\(observer) may replay its own stream only; the policy names it no auditor of \(party)"))
        }
        if let unknown = request.types.first(where: { !routing.knows(type: $0) }) {
            return .failure(HubFailure(.unknownType, "type '\(unknown.prefix(128))' is not declared"))
        }
        guard request.fromSeq == 0 || request.sinceUs == 0 else {
            return .failure(HubFailure(.badReplay, "from_seq and since_us are exclusive; set one of them"))
        }
        guard request.sinceUs >= 0 else {
            return .failure(HubFailure(.badReplay, "since_us \(request.sinceUs) is before the Unix epoch"))
        }
        guard request.fromSeq <= UInt64(Int64.max) else {
            return .failure(HubFailure(.badReplay, "from_seq \(request.fromSeq) is beyond 2^63 - 1"))
        }
        let start: Start = request.sinceUs > 0 ? .time(request.sinceUs) : .seq(max(1, request.fromSeq))
        let credit = request.credit == 0 ? defaultCredit : min(Int(request.credit), defaultCredit)
        return .success(
            ReplayPlan(
                observer: observer, party: party, start: start, types: Set(request.types), follow: request.follow, credit: credit))
    }
}
