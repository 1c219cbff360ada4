/// An error of a ``JournalStore``.
///
/// The ``description`` names the code and a reason; it never includes message bodies or
/// other payload data.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure happened. New codes may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case openFailed
            case migrationFailed
            case writeFailed
            case readFailed
            case corrupt
            case notFound
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The journal could not be opened or created.
        public static let openFailed = Code(.openFailed)
        /// The journal's schema could not be created or upgraded.
        public static let migrationFailed = Code(.migrationFailed)
        /// An append or an acknowledgement could not be saved; nothing of the call was saved.
        public static let writeFailed = Code(.writeFailed)
        /// The journal could not be read.
        public static let readFailed = Code(.readFailed)
        /// The journal file is damaged or is not a journal.
        public static let corrupt = Code(.corrupt)
        /// What was asked for is not in the journal (`swhub trace` of an unknown id).
        public static let notFound = Code(.notFound)

        /// The code's name, such as `writeFailed`.
        public var description: String {
            switch value {
            case .openFailed: "openFailed"
            case .migrationFailed: "migrationFailed"
            case .writeFailed: "writeFailed"
            case .readFailed: "readFailed"
            case .corrupt: "corrupt"
            case .notFound: "notFound"
            }
        }
    }

    /// What kind of failure happened.
    public var code: Code
    /// Why, in words; never contains payload data.
    public var reason: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What kind of failure happened.
    ///   - reason: Why, in words; must not contain payload data.
    public init(code: Code, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// `StoreError(code): reason`.
    public var description: String {
        "StoreError(\(code)): \(reason)"
    }
}
