import Foundation
import HubClient
import HubProtocol
import Logging
import Synchronization

/// Runs a ``SimulatedDepartment`` against the hub: one receiving `HubClient` with the
/// party's key; each delivery goes through the department, its replies are submitted (a
/// batch's later replies after their `delayMs`, in a task of their own, so other deliveries
/// are not held up), and the delivery is acknowledged once its replies are journaled.
///
/// Acknowledgements are cumulative, so a delivery whose receipts are still waiting holds
/// back the acknowledgement of later ones (``AckWindow``). Whatever was not acknowledged
/// when the adapter stops is delivered again at its next start and answered again under the
/// same ids, which the hub journals once. A hub restart is ridden out by `HubClient`
/// (reconnect, HELLO, resend); replies that time out or meet a 3xx/5xx error are resubmitted
/// with the same id until they are journaled, while a 4xx refusal is logged and dropped.
public final class DepartmentAdapter: Sendable {
    /// What the adapter did, for its log lines and its closing summary.
    public struct Summary: Sendable, Equatable {
        /// The department's own counters (deliveries by type, replies, refusals, ...).
        public var department: SimulatedDepartment.Stats
        /// Replies the hub journaled (duplicates of earlier submissions included).
        public var submitted = 0
        /// Replies the hub refused with a 4xx error (logged, not retried).
        public var refusedByHub = 0
        /// The highest seq acknowledged.
        public var acknowledged: UInt64 = 0
    }

    private struct State {
        var department: SimulatedDepartment
        var window = AckWindow()
        var submitted = 0
        var refusedByHub = 0
    }

    private let client: HubClient
    private let logger: Logger
    private let logEvery: Int
    private let shutdownGrace: Duration
    private let now: @Sendable () -> Int64
    private let state: Mutex<State>

    /// Creates the adapter and its client; the client starts connecting at once.
    /// - Parameters:
    ///   - department: the simulated department (its party must own `configuration`'s key).
    ///   - configuration: the party's client configuration; `receive` is turned on.
    ///   - logger: where progress and problems go.
    ///   - logEvery: log a progress line every this many deliveries.
    ///   - shutdownGrace: how long replies being submitted may take once the adapter is
    ///     cancelled, before the client is closed under them.
    ///   - now: the clock stamping replies, µs since the Unix epoch.
    public init(
        department: SimulatedDepartment, configuration: HubClientConfiguration, logger: Logger, logEvery: Int = 1000,
        shutdownGrace: Duration = .seconds(2),
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1_000_000) }
    ) throws {
        var configuration = configuration
        configuration.receive = true
        client = try HubClient(configuration: configuration, logger: logger)
        self.logger = logger
        self.logEvery = max(logEvery, 1)
        self.shutdownGrace = shutdownGrace
        self.now = now
        state = Mutex(State(department: department))
    }

    /// Waits for the hub's WELCOME (see `HubClient.connect`).
    @discardableResult
    public func connect(timeout: Duration = .seconds(10)) async throws -> HubWelcome {
        try await client.connect(timeout: timeout)
    }

    /// What was done so far.
    /// Why the adapter's client stopped on its own (the hub revoked its key), nil otherwise:
    /// `run()` then returns, and the command exits with it.
    public var failure: HubClientError? { client.failure }

    public var summary: Summary {
        state.withLock { state in
            Summary(
                department: state.department.stats, submitted: state.submitted, refusedByHub: state.refusedByHub,
                acknowledged: state.window.acknowledgeable)
        }
    }

    /// Submits the department's start-up messages, then handles deliveries until the task
    /// is cancelled (or the client fails for good), and closes the client.
    public func run() async {
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                let startup = state.withLock { $0.department.startup(nowUs: now()) }
                if !startup.isEmpty {
                    group.addTask { _ = await self.submitInOrder(startup) }
                }
                for await delivery in client.deliveries {
                    let (replies, handled) = state.withLock { state in
                        state.window.started(delivery.seq)
                        let header = delivery.header
                        let replies = state.department.handle(
                            type: header.type, header: header, body: delivery.body, nowUs: now())
                        return (replies, state.department.stats.total)
                    }
                    if handled % logEvery == 0 { logProgress() }
                    if replies.isEmpty {
                        finish(delivery.seq)
                    } else {
                        group.addTask {
                            if await self.submitInOrder(replies) { self.finish(delivery.seq) }
                        }
                    }
                }
            }
        } onCancel: { [client, shutdownGrace] in
            Task {
                try? await Task.sleep(for: shutdownGrace)
                client.close()
            }
        }
        client.close()
    }

    /// Logs the counters.
    public func logProgress() {
        let summary = self.summary
        logger.info(
            "progress",
            metadata: [
                "deliveries": "\(summary.department.total)", "submitted": "\(summary.submitted)",
                "refused_by_hub": "\(summary.refusedByHub)", "acknowledged": "\(summary.acknowledged)",
            ])
    }

    /// Marks a delivery done and acknowledges as far as possible.
    private func finish(_ seq: UInt64) {
        if let position = state.withLock({ $0.window.finished(seq) }) {
            client.acknowledge(position)
        }
    }

    /// Submits the replies one after the other, each after its delay. False when stopped
    /// (cancelled or the client closed) before all were journaled or refused.
    private func submitInOrder(_ replies: [SimulatedDepartment.Reply]) async -> Bool {
        for reply in replies {
            if reply.delayMs > 0 {
                do { try await Task.sleep(for: .milliseconds(reply.delayMs)) } catch { return false }
            }
            guard await submit(reply) else { return false }
        }
        return true
    }

    /// Submits one reply until the hub journals or refuses it (4xx). False when stopped.
    private func submit(_ reply: SimulatedDepartment.Reply) async -> Bool {
        var pause = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                _ = try await client.submit(
                    type: reply.type, body: reply.body, to: reply.recipients, id: reply.id, correlationId: reply.correlationId)
                state.withLock { $0.submitted += 1 }
                return true
            } catch let error as HubClientError {
                if error.code == .closed { return false }
                if error.code == .rejected, error.errorClass == .refused {
                    state.withLock { $0.refusedByHub += 1 }
                    logger.error(
                        "the hub refused a reply; not retried",
                        metadata: ["message_id": "\(reply.id)", "type": "\(reply.type)", "code": "\(error.code)", "error": "\(error)"])
                    return true
                }
                logger.warning("reply not journaled yet; retrying", metadata: ["message_id": "\(reply.id)", "error": "\(error)"])
            } catch {
                return false
            }
            do { try await Task.sleep(for: pause) } catch { return false }
            pause = min(pause * 2, .seconds(5))
        }
        return false
    }
}
