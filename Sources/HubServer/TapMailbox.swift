import HubProtocol
import Synchronization
import ZeroMQ

/// A committed message on its way to the tap: its header as journaled (sender, seq and
/// time set), its body, and the recipients it is delivered to.
struct TapItem: Sendable {
    let header: WireHeader
    /// The tap's own reference to the body frame (made with `ZMQMessage.copy()` on the
    /// router thread), used only by the tap thread afterwards.
    let body: ZMQMessage
    let recipients: [String]
}

/// The hand-over from the router thread to the tap thread. The router posts a turn's
/// committed messages in one call, and only while `isActive` (some observer has a live
/// subscription), so with no tap subscriber the router does nothing at all. The box is
/// bounded: what does not fit is counted as lost, and the tap books it as dropped for every
/// subscribed observer, so the router never waits for the tap nor grows without bound.
final class TapMailbox: Sendable {
    private struct Content {
        var items: [TapItem] = []
        var lost: UInt64 = 0
    }

    private let content = Mutex(Content())
    private let active = Atomic<Bool>(false)
    /// Most items held at once.
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Whether the tap wants committed messages (set by the tap thread).
    var isActive: Bool { active.load(ordering: .acquiring) }

    func setActive(_ on: Bool) { active.store(on, ordering: .releasing) }

    /// Adds `items`; those beyond the capacity are counted as lost.
    func post(_ items: [TapItem]) {
        guard !items.isEmpty else { return }
        content.withLock { content in
            let room = max(0, capacity - content.items.count)
            if items.count <= room {
                content.items.append(contentsOf: items)
            } else {
                content.items.append(contentsOf: items.prefix(room))
                content.lost += UInt64(items.count - room)
            }
        }
    }

    /// Takes everything posted so far and the number of items lost since the last call.
    func drain() -> (items: [TapItem], lost: UInt64) {
        content.withLock { content in
            defer {
                content.items.removeAll(keepingCapacity: true)
                content.lost = 0
            }
            return (content.items, content.lost)
        }
    }
}
