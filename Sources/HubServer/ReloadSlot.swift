import HubRouting
import Synchronization

/// The hand-over of a reloaded configuration to the router's thread, and of what the router
/// did with it back: the reloading thread posts, the router takes it between two turns of its
/// loop (it owns its state; nothing else touches it), applies it and reports.
final class ReloadSlot: Sendable {
    private struct State {
        var pending: (generation: UInt64, reload: RouterReload)?
        var applied: (generation: UInt64, effect: ReloadEffect)?
    }

    private let state = Mutex(State())

    /// Hands `reload` over; a reload posted before and not yet taken is replaced (it is older).
    func post(_ reload: RouterReload, generation: UInt64) {
        state.withLock { $0.pending = (generation, reload) }
    }

    /// Takes the reload waiting, if any (the router's thread).
    func take() -> (generation: UInt64, reload: RouterReload)? {
        state.withLock { state in
            defer { state.pending = nil }
            return state.pending
        }
    }

    /// The router applied generation `generation` with `effect`.
    func applied(_ generation: UInt64, _ effect: ReloadEffect) {
        state.withLock { $0.applied = (generation, effect) }
    }

    /// What the router did with `generation`, once it applied it (or a later one: then nil
    /// effect is never returned for it, the later one replaced it).
    func effect(of generation: UInt64) -> ReloadEffect? {
        state.withLock { state in
            guard let applied = state.applied, applied.generation == generation else { return nil }
            return applied.effect
        }
    }
}
