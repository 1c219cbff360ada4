import HubCore
import HubProtocol
import HubStore

/// What the router's I/O layer must do, in the order given. `RouterCore` decides; the layer
/// that owns the socket and the journal threads (or a test harness) performs.
public enum RouterAction: Sendable {
    /// Send this one-frame reply on the connection: a full peer queue keeps it for a later
    /// retry, a vanished peer drops it.
    case reply(connection: [UInt8], WireCommand.OneOf_Kind)
    /// Carry out a delivery session's steps in order, then report how far it got with
    /// `RouterCore.performed(_:_:now:into:)`. Only when `RouterCore.isCurrent(_:)`.
    case deliver(DeliveryWork)
    /// Find the first seq journaled at or after `sinceUs` for a time-based replay; report
    /// it with `JournalEvent.located`.
    case locate(session: UInt64, party: String, sinceUs: Int64)
    /// Hand these submissions to the journal writer (group commit); report with
    /// `JournalEvent.committed` or `.commitFailed`.
    case journal([PendingSubmission])
    /// Save these acknowledgement positions with the next commit.
    case saveAcks([String: UInt64])
    /// Log these progress marks with a later commit.
    case saveProgress([ProgressMark])
    /// A committed batch, for the monitoring tap: the new messages among them (not
    /// duplicates, with recipients) go to the tap when some observer listens.
    case tap([PendingSubmission], [AppendOutcome])
    /// Something for the metrics.
    case note(RouterNote)
}

/// What the router tells the metrics.
public enum RouterNote: Sendable, Equatable {
    /// An authenticated party sent a frame set.
    case seen(party: String)
    /// `count` messages of one type from one sender were journaled (not duplicates) for the
    /// same recipients: a commit's run of such messages is one note, not one per message.
    case journaled(type: String, sender: String, recipients: [String], count: Int)
    /// A HELLO of `party` acknowledged a seq beyond the journal's head (a sign of lost records).
    case helloBeyondHead(party: String)
    /// A journal read met this damaged record for the first time (it was not delivered).
    case journalDamaged(seq: UInt64)
}

/// One delivery session's steps to perform in order: sends of journaled messages to the
/// session's connection and reads from the journal (`DeliverySession` actions).
///
/// The layer performing them stops at the first send that fails and reports it with
/// `RouterCore.performed(_:_:now:into:)`; the steps after it are void (the session takes
/// them back). Steps handed out before a failure was reported are void too:
/// `RouterCore.isCurrent(_:)` tells.
public struct DeliveryWork: Sendable {
    /// Which kind of session.
    public enum Kind: Sendable, Equatable {
        /// A party's receiving session (HELLO with receive).
        case receiving
        /// A replay session (REPLAY); its fetches go to the replay reader.
        case replay
    }

    /// Which kind of session.
    public let kind: Kind
    /// The session's connection.
    public let connection: [UInt8]
    /// The session id the journal's answers name.
    public let session: UInt64
    /// The session's generation when these steps were decided.
    public let epoch: UInt32
    /// The party whose stream is delivered (the recipient named on each DELIVER).
    public let stream: String
    /// Who sees the bodies (the party itself, or a replay's observer).
    public let observer: String
    /// Types the fetches are limited to (empty: every type).
    public let types: [String]
    /// The steps, in order.
    public internal(set) var steps: [DeliverySession<Outgoing>.Action]
    /// The most sends to carry in one DELIVER_BATCH (0: one DELIVER per send), as the
    /// session asked (PROTOCOL.md section 16).
    public var batchEntries = 0
}

/// How far a `DeliveryWork` got.
public struct DeliveryReport: Sendable, Equatable {
    /// Why a send failed.
    public enum Failure: Sendable, Equatable {
        /// The peer's queue is full: retry later.
        case peerFull
        /// The peer is gone.
        case peerGone
    }

    /// Sends that succeeded.
    public var sent: Int
    /// The seq of the last send that succeeded.
    public var lastSent: UInt64?
    /// The send that failed (the work stopped there), if one did.
    public var failure: (seq: UInt64, reason: Failure)? {
        get { failedSeq.map { ($0, failedReason) } }
        set {
            failedSeq = newValue?.seq
            failedReason = newValue?.reason ?? .peerFull
        }
    }
    private var failedSeq: UInt64?
    private var failedReason: Failure = .peerFull

    /// Creates a report.
    ///
    /// - Parameters:
    ///   - sent: Sends that succeeded.
    ///   - lastSent: The seq of the last of them.
    ///   - failure: The send that failed, if one did.
    public init(sent: Int = 0, lastSent: UInt64? = nil, failure: (seq: UInt64, reason: Failure)? = nil) {
        self.sent = sent
        self.lastSent = lastSent
        self.failure = failure
    }
}

/// Which session a `DeliveryWork` is for, to merge the works of one commit.
struct DeliveryKey: Hashable {
    let kind: DeliveryWork.Kind
    let session: UInt64
    let epoch: UInt32
}

extension DeliveryWork {
    /// A placeholder for a work merged into an earlier one (no steps; removed at once).
    static let merged = DeliveryWork(kind: .receiving, connection: [], session: 0, epoch: 0, stream: "", observer: "", types: [], steps: [])
}
