import HubProtocol
import HubRouting
import HubStore
import Synchronization
import ZeroMQ

/// A submission waiting for the journal: its body is the frame as received.
typealias PendingSubmit = PendingSubmission

/// What the journal threads report back to the router thread.
typealias HubEvent = JournalEvent

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

/// A received frame is what the router holds and forwards as a body.
extension ZMQMessage: RouterBody {}
