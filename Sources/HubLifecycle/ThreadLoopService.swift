import HubThreads
import ServiceLifecycle

/// A ``ThreadLoop`` with its body, as a swift-service-lifecycle `Service`: `run()` starts the
/// thread and returns once the body ended. Graceful shutdown or cancellation of the task
/// asks the body to stop; an end nobody asked for (the body returned early or threw) is
/// thrown as a ``LifecycleError``, so the `ServiceGroup` shuts down and its `run()` throws.
///
/// The same part can also be driven without a group (``start()``, ``stop()``), as an
/// in-process hub is in tests; both ways go through the one loop, so mixing them is harmless.
public struct ThreadLoopService: Service, CustomStringConvertible {
    /// The loop.
    public let loop: ThreadLoop
    private let body: @Sendable (ThreadLoop) throws -> Void

    /// - Parameters:
    ///   - loop: the loop the body runs on.
    ///   - body: the loop's body (see ``ThreadLoop/start(_:)``).
    public init(_ loop: ThreadLoop, body: @escaping @Sendable (ThreadLoop) throws -> Void) {
        self.loop = loop
        self.body = body
    }

    /// The loop's name, which the `ServiceGroup` logs the service by.
    public var description: String { loop.name }

    /// Starts the thread (once; see ``ThreadLoop/start(_:)``).
    public func start() {
        loop.start(body)
    }

    /// Asks the body to stop and waits for it (blocking: not on the concurrency pool).
    @discardableResult
    public func stop() -> ThreadLoop.Ending {
        loop.stop()
    }

    /// Runs the loop until graceful shutdown or cancellation, then until its body returned.
    /// - Throws: ``LifecycleError`` when the body ended without being asked to.
    public func run() async throws {
        loop.start(body)
        let loop = loop
        let ending = await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await loop.join()
            } onGracefulShutdown: {
                loop.requestStop()
            }
        } onCancel: {
            loop.requestStop()
        }
        if ending.isUnexpected { throw LifecycleError(ending, service: loop.name) }
    }
}
