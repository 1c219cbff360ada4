import Foundation
import Logging
import ServiceLifecycle

/// The hub as a swift-service-lifecycle `Service`: runs until graceful shutdown (SIGTERM or
/// SIGINT through the `ServiceGroup`), then drains: in-flight commits finish and their
/// senders get their ACCEPTED before the service returns.
public struct HubService: Service {
    private let hub: Hub

    public init(hub: Hub) {
        self.hub = hub
    }

    public func run() async throws {
        hub.start()
        // Wait for graceful shutdown (or cancellation), then drain on a thread that may block.
        try? await gracefulShutdown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                hub.stop()
                continuation.resume()
            }
        }
    }
}
