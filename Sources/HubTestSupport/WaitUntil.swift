/// Thrown when an awaited condition or operation does not come in time.
public struct TimeoutError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// Polls `condition` every few milliseconds until it holds; throws ``TimeoutError`` with
/// `what()` (evaluated at the deadline, so it can describe the state) when `limit` passes.
/// How the integration tests wait: on a condition, never for a fixed time.
public func waitUntil(
    _ limit: Duration, _ what: @autoclosure () -> String, _ condition: () throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while try !condition() {
        if ContinuousClock.now >= deadline { throw TimeoutError(description: "\(what()) (waited \(limit))") }
        try await Task.sleep(for: .milliseconds(5))
    }
}
