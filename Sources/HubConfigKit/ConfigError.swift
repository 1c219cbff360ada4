/// A configuration that cannot be used, with the key or file it concerns.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Stable error codes: new ones may be added, existing ones keep their meaning.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, e.g. `CONFIG_BAD_KEY`.
        public let name: String
        /// The code's name.
        public var description: String { name }
        /// The file could not be read.
        public static let unreadable = Code(name: "CONFIG_UNREADABLE")
        /// The YAML could not be parsed or has the wrong shape.
        public static let syntax = Code(name: "CONFIG_SYNTAX")
        /// A value is out of range or malformed.
        public static let invalidValue = Code(name: "CONFIG_INVALID_VALUE")
        /// A name (party, type) is declared twice.
        public static let duplicate = Code(name: "CONFIG_DUPLICATE")
        /// A reference to a party or type that is not declared.
        public static let unknownReference = Code(name: "CONFIG_UNKNOWN_REFERENCE")
        /// A key file is missing, malformed, or does not hold a valid CURVE key.
        public static let badKey = Code(name: "CONFIG_BAD_KEY")
        /// A reload was asked for a setting that only a restart applies (an endpoint, the
        /// journal, the tap, ...); the running configuration stays in force.
        public static let needsRestart = Code(name: "CONFIG_NEEDS_RESTART")
    }

    /// What kind of problem this is.
    public var code: Code
    /// What is wrong and in which file or key; never a secret key.
    public var reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: what kind of problem.
    ///   - reason: what is wrong and where.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// The code's name and the reason.
    public var description: String { "\(code.name): \(reason)" }
}
