import HubCore

/// What ``JournalVerifier`` found: every problem, in seq order where the problem has seqs,
/// consecutive seqs of the same problem coalesced into one range.
public struct VerifyReport: Sendable, Equatable {
    /// One damaged range or one finding without seqs.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// What is wrong.
        public enum Kind: String, Sendable, Equatable, CaseIterable {
            /// The row's content no longer gives its chain value (computed from the previous
            /// row's stored chain value, so every altered row shows on its own).
            case altered
            /// The row's stored chain value is what changed (its content is intact: the
            /// next row chains from the value its content gives).
            case chainValueAltered
            /// Seqs below the head with no row.
            case missing
            /// The row, or one of its values, cannot be read or decoded.
            case unreadable
            /// The row is not found through the dedup index (UNIQUE(sender, msg_id)) at its
            /// own seq, or the index does not hold as many entries as the table rows.
            case dedupIndex
            /// Another row has the same (sender, id).
            case duplicateId
            /// A recipient the row names has no inbox row for it.
            case inboxMissing
            /// An inbox row points to no message, or to one that does not name its recipient.
            case inboxOrphan
            /// An acknowledgement position beyond the head.
            case ackBeyondHead
            /// A progress mark beyond the head.
            case progressBeyondHead
            /// The WAL: committed transactions SQLite will drop, or a damaged header.
            case wal
            /// A message of SQLite's `PRAGMA integrity_check`.
            case integrity
            /// The database cannot be opened or a whole check could not run.
            case database
            /// The head record (`<journal>-head`) does not match the journal's head.
            case headRecord
            /// An archive segment is missing or damaged, or the manifest's ranges and links do
            /// not chain (``ArchiveManifest``).
            case archive
        }

        public var kind: Kind
        /// The first and last seq of the range, nil for a finding without seqs.
        public var firstSeq: UInt64?
        public var lastSeq: UInt64?
        /// What the range shares (a recipient, a party), or empty; only ranges of the same
        /// kind and subject coalesce.
        public var subject: String
        /// The explanation, for the first seq of the range.
        public var detail: String

        public init(_ kind: Kind, seq: UInt64? = nil, through last: UInt64? = nil, subject: String = "", _ detail: String) {
            self.kind = kind
            self.firstSeq = seq
            self.lastSeq = last ?? seq
            self.subject = subject
            self.detail = detail
        }

        /// "seq 88" or "seqs 120–135", or "" without seqs.
        public var seqs: String {
            guard let firstSeq, let lastSeq else { return "" }
            return firstSeq == lastSeq ? "seq \(firstSeq)" : "seqs \(firstSeq)–\(lastSeq)"
        }

        /// One line: the seqs, then what is wrong.
        public var description: String {
            seqs.isEmpty ? detail : "\(seqs) \(detail)"
        }
    }

    /// The journal file.
    public var journal: String
    /// Only the tail was checked (`--quick`).
    public var quick: Bool
    /// Rows checked, and the first and last seq of the rows checked.
    public var records: Int
    public var firstCheckedSeq: UInt64
    /// The head as SQLite reads the file (the last readable seq), and its stored chain value, hex.
    public var headSeq: UInt64
    public var headChain: String
    /// The WAL as it was before the database was opened; nil when it could not be read.
    public var wal: WALScan?
    /// Every problem: those with seqs in seq order first, then the others.
    public var problems: [Problem]
    /// The archive segments checked, nil when the journal has none.
    public var archive: ArchiveSummary?
    /// The journal's algorithm suite (``JournalSuiteRecord``): its chain, checksums and
    /// archive digests were checked with it.
    public var crypto = CryptoSuite.standard

    /// What the archive holds.
    public struct ArchiveSummary: Sendable, Equatable {
        /// Segments whose files are kept, and their records.
        public var keptSegments: Int
        public var keptRecords: UInt64
        /// Segments deleted past retention (their manifest rows kept), and their records.
        public var deletedSegments: Int
        public var deletedRecords: UInt64
        /// The last archived seq.
        public var archivedUpTo: UInt64
    }

    /// Nothing is wrong.
    public var intact: Bool { problems.isEmpty }

    /// A report of another store backend's verifier (`problems` as found: they are
    /// sorted and coalesced here).
    public init(
        journal: String, quick: Bool, records: Int, firstCheckedSeq: UInt64, headSeq: UInt64, headChain: String,
        wal: WALScan? = nil, problems: [Problem]
    ) {
        self.journal = journal
        self.quick = quick
        self.records = records
        self.firstCheckedSeq = firstCheckedSeq
        self.headSeq = headSeq
        self.headChain = headChain
        self.wal = wal
        self.problems = Self.coalesced(problems)
    }

    /// Sorts `problems` by seq and merges consecutive seqs of one kind and subject.
    static func coalesced(_ problems: [Problem]) -> [Problem] {
        let withSeqs = problems.enumerated().filter { $0.element.firstSeq != nil }
            .sorted { ($0.element.firstSeq ?? 0, $0.offset) < ($1.element.firstSeq ?? 0, $1.offset) }
            .map(\.element)
        var merged: [Problem] = []
        for problem in withSeqs {
            if let index = merged.lastIndex(where: { $0.kind == problem.kind && $0.subject == problem.subject }),
                let last = merged[index].lastSeq, let first = problem.firstSeq, first <= last + 1
            {
                merged[index].lastSeq = max(last, problem.lastSeq ?? first)
                continue
            }
            merged.append(problem)
        }
        return merged + problems.filter { $0.firstSeq == nil }
    }
}
