import HubStore

/// The progress marks the router has not yet handed to the journal: per party and kind
/// (delivered, acked), the highest position reached and when. A mark is handed over at most
/// once every `interval` per party and kind, so a busy party costs the journal at most
/// 2 rows per interval however many messages it gets, and an idle one none.
///
/// A value owned by the router thread: positions in, marks out.
public struct ProgressLog: Sendable {
    private struct Key: Hashable, Sendable {
        var party: String
        var kind: ProgressMark.Kind
    }

    private let interval: Duration
    private var pending: [Key: ProgressMark] = [:]
    private var lastHanded: [Key: ContinuousClock.Instant] = [:]

    /// - Parameter interval: The least time between two marks of one party and kind.
    public init(interval: Duration = .milliseconds(100)) {
        self.interval = interval
    }

    /// Whether any mark waits.
    public var isEmpty: Bool { pending.isEmpty }

    /// Notes that `party` reached `seq` at `atUs` (a lower seq than one already noted is ignored).
    ///
    /// - Parameters:
    ///   - party: The party.
    ///   - kind: Deliveries or acknowledgements.
    ///   - seq: The position reached.
    ///   - atUs: When, microseconds since the Unix epoch.
    public mutating func note(_ party: String, _ kind: ProgressMark.Kind, seq: UInt64, atUs: Int64) {
        let key = Key(party: party, kind: kind)
        if let noted = pending[key], noted.seq >= seq { return }
        pending[key] = ProgressMark(party: party, kind: kind, seq: seq, atUs: atUs)
    }

    /// The marks due at `now` (all of them when `force`), removed from the log.
    ///
    /// - Parameters:
    ///   - now: The current time.
    ///   - force: Hand over every mark, due or not.
    /// - Returns: The marks.
    public mutating func due(now: ContinuousClock.Instant, force: Bool) -> [ProgressMark] {
        guard !pending.isEmpty else { return [] }
        var marks: [ProgressMark] = []
        for (key, mark) in pending where force || lastHanded[key].map({ now - $0 >= interval }) ?? true {
            marks.append(mark)
            lastHanded[key] = now
        }
        for mark in marks { pending[Key(party: mark.party, kind: mark.kind)] = nil }
        return marks
    }
}
