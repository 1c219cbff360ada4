/// Which deliveries may be acknowledged when they finish out of order. Acknowledgements
/// are cumulative (PROTOCOL.md 6.3): acknowledging seq n acknowledges everything up to n,
/// so the position may only move past deliveries that are all finished. A delivery whose
/// replies are still waiting (a delayed receipt) holds back the acknowledgement of the
/// later ones; after a restart the hub delivers it again and its replies are resubmitted
/// under the same ids.
public struct AckWindow: Sendable {
    /// Started deliveries in seq order, and whether each has finished.
    private var inFlight: [(seq: UInt64, done: Bool)] = []
    private var head = 0
    /// The highest seq that may be acknowledged (0: none yet).
    public private(set) var acknowledgeable: UInt64 = 0

    public init() {}

    /// Deliveries started and not yet acknowledgeable.
    public var outstanding: Int { inFlight.count - head }

    /// A delivery started; seqs must increase.
    public mutating func started(_ seq: UInt64) {
        inFlight.append((seq, false))
    }

    /// A delivery finished. Returns the new acknowledgement position when it moved.
    public mutating func finished(_ seq: UInt64) -> UInt64? {
        guard let index = inFlight[head...].firstIndex(where: { $0.seq == seq }) else { return nil }
        inFlight[index].done = true
        let before = acknowledgeable
        while head < inFlight.count, inFlight[head].done {
            acknowledgeable = inFlight[head].seq
            head += 1
        }
        if head > 1024, head * 2 > inFlight.count {
            inFlight.removeFirst(head)
            head = 0
        }
        return acknowledgeable > before ? acknowledgeable : nil
    }
}
