/// One line of the journal's progress log: how far a party's deliveries or acknowledgements
/// had got at a moment. The router writes at most one mark per party and kind every
/// ~100 ms, with the journal's group commits, and only when the position moved past every
/// earlier mark of the same party and kind, so marks rise in seq and in time.
///
/// "Message S was delivered to R at T" then reads as: T is the time of R's first
/// `delivered` mark with seq ≥ S (an upper bound, late by at most the flush interval);
/// likewise for `acked`.
public struct ProgressMark: Sendable, Equatable, Hashable {
    /// What moved.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The highest seq sent to the party's receiving session.
        case delivered
        /// The party's acknowledgement position.
        case acked
    }

    /// The party whose position this is.
    public var party: String
    /// Deliveries or acknowledgements.
    public var kind: Kind
    /// The position: every seq up to it (among the party's messages) was delivered or acknowledged.
    public var seq: UInt64
    /// When the position was reached, in microseconds since the Unix epoch (0 for the marks
    /// a journal written before the progress log started with: time not recorded).
    public var atUs: Int64

    /// Creates a mark.
    ///
    /// - Parameters:
    ///   - party: The party whose position this is.
    ///   - kind: Deliveries or acknowledgements.
    ///   - seq: The position.
    ///   - atUs: When it was reached, microseconds since the epoch.
    public init(party: String, kind: Kind, seq: UInt64, atUs: Int64) {
        self.party = party
        self.kind = kind
        self.seq = seq
        self.atUs = atUs
    }
}
