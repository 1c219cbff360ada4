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
            case journalBehind
            case readOnly
            case unavailable
            case archiveDamaged
            case suiteMismatch
            case cryptoUnavailable
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
        /// The journal holds fewer committed records than the hub last recorded as durable
        /// (its head record, `<journal>-head`): committed records were lost, so the hub
        /// refuses to write to it (see `swhub serve --salvage`).
        public static let journalBehind = Code(.journalBehind)
        /// The journal was opened read-only (salvage): nothing can be written.
        public static let readOnly = Code(.readOnly)
        /// The journal's database cannot be reached, or none of its servers accepts writes
        /// (a PostgreSQL primary is being replaced): nothing of the call was saved, or, for
        /// a commit whose answer was lost, it may have been; retry later (a resubmission
        /// under the same id is deduplicated).
        public static let unavailable = Code(.unavailable)
        /// An archive segment (``ArchiveSegment``) is missing, damaged, or does not continue
        /// the hash chain where its manifest row says: its records cannot be served.
        public static let archiveDamaged = Code(.archiveDamaged)
        /// The journal records an algorithm suite (``CryptoSuite``: `crypto:` when it was
        /// created) other than the one asked for: its chain cannot be continued with another
        /// hash, so the hub refuses to open it.
        public static let suiteMismatch = Code(.suiteMismatch)
        /// The journal's algorithm suite needs a crypto library that cannot be used here
        /// (libgcrypt without SM3 for `crypto: sm`).
        public static let cryptoUnavailable = Code(.cryptoUnavailable)

        /// The code's name, such as `writeFailed`.
        public var description: String {
            switch value {
            case .openFailed: "openFailed"
            case .migrationFailed: "migrationFailed"
            case .writeFailed: "writeFailed"
            case .readFailed: "readFailed"
            case .corrupt: "corrupt"
            case .notFound: "notFound"
            case .journalBehind: "journalBehind"
            case .readOnly: "readOnly"
            case .unavailable: "unavailable"
            case .archiveDamaged: "archiveDamaged"
            case .suiteMismatch: "suiteMismatch"
            case .cryptoUnavailable: "cryptoUnavailable"
            }
        }
    }

    /// What kind of failure happened.
    public var code: Code
    /// Why, in words; never contains payload data.
    public var reason: String
    /// The seq of the damaged record, when the error is about one (code `corrupt`: its
    /// checksum does not match what is stored, or a stored value cannot be decoded).
    public var seq: UInt64?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What kind of failure happened.
    ///   - reason: Why, in words; must not contain payload data.
    ///   - seq: The seq of the damaged record the error is about, if any.
    public init(code: Code, reason: String, seq: UInt64? = nil) {
        self.code = code
        self.reason = reason
        self.seq = seq
    }

    /// `StoreError(code): reason`.
    public var description: String {
        "StoreError(\(code)): \(reason)"
    }
}
