/// An error of ``JournalBackup``: making a backup of a SQLite journal or restoring one.
///
/// The ``description`` names the code and a reason; it never includes message bodies.
public struct BackupError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure happened. New codes may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case noJournal
            case targetExists
            case manifestUnreadable
            case checksumMismatch
            case damaged
            case copyFailed
            case archiveDirectoryUnknown
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// There is no journal file to back up.
        public static let noJournal = Code(.noJournal)
        /// The destination already holds what the command would overwrite: a backup in the
        /// backup directory, or a journal (or its `-wal`, `-shm`, `-head` files) where a
        /// restore would place one. Nothing was changed.
        public static let targetExists = Code(.targetExists)
        /// The backup directory has no manifest, or it cannot be read.
        public static let manifestUnreadable = Code(.manifestUnreadable)
        /// The backup's journal file is not the file its manifest describes (size or SHA-256).
        public static let checksumMismatch = Code(.checksumMismatch)
        /// The copy does not pass the journal verifier (``JournalVerifier``), or its head
        /// is not the one its manifest records.
        public static let damaged = Code(.damaged)
        /// A file could not be read, written or synced.
        public static let copyFailed = Code(.copyFailed)
        /// The journal's archive manifest keeps segment files (or the backup holds some) and
        /// no archive folder was given to copy them from (or place them in). Nothing was changed.
        public static let archiveDirectoryUnknown = Code(.archiveDirectoryUnknown)

        /// The code's name, such as `targetExists`.
        public var description: String {
            switch value {
            case .noJournal: "noJournal"
            case .targetExists: "targetExists"
            case .manifestUnreadable: "manifestUnreadable"
            case .checksumMismatch: "checksumMismatch"
            case .damaged: "damaged"
            case .copyFailed: "copyFailed"
            case .archiveDirectoryUnknown: "archiveDirectoryUnknown"
            }
        }
    }

    /// What kind of failure happened.
    public var code: Code
    /// Why, in words.
    public var reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// `BackupError(code): reason`.
    public var description: String {
        "BackupError(\(code)): \(reason)"
    }
}
