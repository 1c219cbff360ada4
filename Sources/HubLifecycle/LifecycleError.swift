import HubThreads

/// A long-running part of the hub ended although nobody asked it to stop. Thrown by the
/// part's `Service.run()`, so that its `ServiceGroup` shuts the others down and fails: the
/// process exits non-zero and its supervisor (systemd) restarts it.
public struct LifecycleError: Error, Sendable, CustomStringConvertible {
    /// What happened; stable for callers to switch over.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case returnedEarly = "returned_early"
            case threw
        }

        private let value: Value

        private init(_ value: Value) { self.value = value }

        /// The part's loop returned before a stop was requested.
        public static let returnedEarly = Code(.returnedEarly)
        /// The part's loop threw.
        public static let threw = Code(.threw)

        public var description: String { value.rawValue }
    }

    /// What happened.
    public let code: Code
    /// The part (its thread's or service's name).
    public let service: String
    /// The error the part threw, or why it returned; never message data.
    public let reason: String

    /// - Parameters:
    ///   - code: what happened.
    ///   - service: the part's name.
    ///   - reason: the error or the circumstance.
    public init(_ code: Code, service: String, reason: String) {
        self.code = code
        self.service = service
        self.reason = reason
    }

    /// The error for a loop's unexpected `ending`.
    init(_ ending: ThreadLoop.Ending, service: String) {
        switch ending {
        case .threw(let error): self.init(.threw, service: service, reason: error)
        case .requested, .returnedEarly: self.init(.returnedEarly, service: service, reason: ending.description)
        }
    }

    public var description: String {
        "LifecycleError(\(code)): \(service) ended unexpectedly: \(reason)"
    }
}
