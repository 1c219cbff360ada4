import HubProtocol
import HubStore
import Synchronization
import ZeroMQ

/// A submission waiting for the journal.
struct PendingSubmit: Sendable {
    /// The submitter's connection.
    let routingId: [UInt8]
    /// The authenticated sender.
    let party: String
    let header: WireHeader
    let recipients: [String]
    /// The body frame as received; never copied before the journal reads it.
    let body: ZMQMessage
}

/// What the journal threads report back to the router thread.
enum HubEvent: Sendable {
    case committed([PendingSubmit], [AppendOutcome])
    case commitFailed([PendingSubmit], reason: String)
    case fetched(session: UInt64, records: [JournalRecord], headSeq: UInt64)
    case fetchFailed(session: UInt64, reason: String)
    /// Where a replay from a time begins (its first seq), and the journal's head then.
    case located(session: UInt64, firstSeq: UInt64, headSeq: UInt64)
}

/// Events for the router thread, posted from other threads. A post that makes the box
/// non-empty must be followed by a wake-up message on the poster's own PUSH socket; the
/// router drains the box on every turn of its loop.
final class Mailbox: Sendable {
    private let events = Mutex<[HubEvent]>([])

    /// Adds an event; true if the box was empty (the caller must wake the router).
    func post(_ event: HubEvent) -> Bool {
        events.withLock { events in
            events.append(event)
            return events.count == 1
        }
    }

    /// Takes every event posted so far.
    func drain() -> [HubEvent] {
        events.withLock { events in
            defer { events.removeAll(keepingCapacity: true) }
            return events
        }
    }
}

extension ZMQMessage: JournalBody {}
