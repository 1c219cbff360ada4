import Foundation

/// Lets at most `limit` hubs of this test process start at once. Swift Testing runs the
/// suites in parallel, and with nothing to hold them back some forty hubs began at the same
/// moment: on two busy cores some took over 15 s to listen. (While `TestHub.start` blocked a
/// Swift-concurrency thread, the two threads held them back by accident.)
actor StartGate {
    /// The gate of `TestHub.start`: as many starts at once as the machine has cores.
    static let hubs = StartGate(limit: max(2, ProcessInfo.processInfo.activeProcessorCount))

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        free = limit
    }

    /// Runs `body` once fewer than `limit` others are inside.
    func through<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func leave() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
