/// Why ``PostgresJournalMigration`` did not copy a journal. The target is left as it was
/// (the copy is one transaction), so the migration can be run again once the cause is gone.
public struct JournalMigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable codes.
    public enum Code: String, Sendable, Equatable {
        /// The SQLite journal cannot be opened or read, or is of a schema without chain values.
        case sourceUnreadable
        /// The PostgreSQL database already holds messages, inbox rows, positions or marks.
        case targetNotEmpty
        /// The PostgreSQL database cannot be reached, or refused the login.
        case targetUnavailable
        /// The copy failed part way (rolled back: the target holds nothing of it).
        case copyFailed
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
