import Foundation

/// What SQLite will make of a journal's write-ahead log (`<journal>-wal`), read straight
/// from the file following SQLite's WAL format (https://www.sqlite.org/fileformat2.html#walformat)
/// without opening the database, so it can run before anything opens the file writable
/// (a writable open checkpoints and resets the WAL, which destroys the evidence).
///
/// The file is a 32-byte header (magic, format version, page size, checkpoint sequence,
/// two salts, a checksum of the first 24 bytes) and frames of a 24-byte header (page
/// number, database size in pages for a commit frame, the two salts, a cumulative
/// checksum) followed by one page. SQLite's recovery keeps the frames from the first one
/// up to the last commit frame before the first frame whose salts or cumulative checksum
/// do not match, and silently drops everything after it. ``WALScan`` reports that point and
/// whether committed transactions follow it (a frame that checks against its predecessor's
/// stored checksum and carries the header's salts was written in this WAL generation):
/// those are transactions the hub acknowledged that SQLite will drop, i.e. lost records.
public struct WALScan: Sendable, Equatable {
    /// The WAL file's path.
    public var path: String
    /// False when there is no WAL file (a cleanly closed journal).
    public var exists: Bool
    /// The file's size in bytes.
    public var size: UInt64
    /// The page size the header states (0 when the header is short or unreadable).
    public var pageSize: Int
    /// False when the header is there but its magic, version or checksum is wrong: SQLite
    /// then ignores every frame.
    public var headerValid: Bool
    /// Whole frames in the file (of any WAL generation).
    public var frames: Int
    /// The last commit frame SQLite's recovery keeps (1-based), nil when it keeps none.
    public var lastValidCommitFrame: Int?
    /// Committed transactions SQLite's recovery keeps.
    public var keptCommits: Int
    /// The first frame of this WAL generation that fails its checksum (1-based), nil when
    /// every frame up to the end of this generation checks.
    public var damagedFrame: Int?
    /// Commit frames of this generation at or after ``damagedFrame``: transactions that were
    /// committed (the hub acknowledged them) and that SQLite will drop.
    public var droppedCommits: Int
    /// Frames of this generation at or after ``damagedFrame`` up to the last dropped commit.
    public var droppedFrames: Int
    /// The database pages those dropped frames wrote, ascending.
    public var droppedPages: [UInt32]
    /// The seqs of the `messages` rows on those pages (``MessageLeafPage``), ascending: the
    /// records SQLite will no longer read are those beyond the head it reads.
    public var droppedMessageSeqs: [UInt64]

    /// True when SQLite will drop committed transactions (or the whole WAL, its header
    /// being damaged while frames follow it).
    public var losesCommits: Bool { droppedCommits > 0 || (!headerValid && frames > 0) }

    /// Scans the WAL of the journal at `journalPath` (the file `<journalPath>-wal`).
    /// - Throws: ``StoreError`` `readFailed` when the file exists but cannot be read.
    public static func scan(journalPath: String) throws -> WALScan {
        let path = journalPath + "-wal"
        var scan = WALScan(
            path: path, exists: false, size: 0, pageSize: 0, headerValid: true, frames: 0, lastValidCommitFrame: nil,
            keptCommits: 0, damagedFrame: nil, droppedCommits: 0, droppedFrames: 0, droppedPages: [],
            droppedMessageSeqs: [])
        guard FileManager.default.fileExists(atPath: path) else { return scan }
        scan.exists = true
        let file: FileHandle
        do {
            file = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            scan.size = try file.seekToEnd()
            try file.seek(toOffset: 0)
        } catch {
            throw StoreError(code: .readFailed, reason: "cannot read \(path): \(error)")
        }
        defer { try? file.close() }
        do {
            try scan.read(file)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .readFailed, reason: "cannot read \(path): \(error)")
        }
        return scan
    }

    private static let headerSize = 32
    private static let frameHeaderSize = 24

    private mutating func read(_ file: FileHandle) throws {
        guard size > 0 else { return }
        guard let header = try file.read(upToCount: Self.headerSize), header.count == Self.headerSize else {
            headerValid = false
            return
        }
        let head = [UInt8](header)
        let magic = Self.word(head, 0)
        let bigEndian = magic == 0x377f_0683
        let stated = Int(Self.word(head, 8))
        pageSize = stated == 1 ? 65536 : stated
        let validPageSize = pageSize >= 512 && pageSize <= 65536 && pageSize & (pageSize - 1) == 0
        guard magic & 0xFFFF_FFFE == 0x377f_0682, Self.word(head, 4) == 3_007_000, validPageSize else {
            headerValid = false
            frames = validPageSize ? Int((size - UInt64(Self.headerSize)) / UInt64(pageSize + Self.frameHeaderSize)) : 0
            return
        }
        frames = Int((size - UInt64(Self.headerSize)) / UInt64(pageSize + Self.frameHeaderSize))
        var sum = Self.checksum(head[0..<24], bigEndian: bigEndian, (0, 0))
        guard sum.0 == Self.word(head, 24) && sum.1 == Self.word(head, 28) else {
            headerValid = false
            return
        }
        let salts = (Self.word(head, 16), Self.word(head, 20))
        // `chainIntact`: every frame so far checks from the start (SQLite keeps them up to
        // the last commit). After the first bad frame, a frame is checked against its
        // predecessor's stored checksum, which tells whether it was written in this
        // generation even though SQLite's chain no longer reaches it.
        var chainIntact = true
        var dropped: (frames: Int, commits: Int, pages: Set<UInt32>, seqs: Set<UInt64>) = (0, 0, [], [])
        var pendingPages = Set<UInt32>()
        var pendingSeqs = Set<UInt64>()
        var pendingFrames = 0
        for index in stride(from: 1, through: frames, by: 1) {
            guard let data = try file.read(upToCount: Self.frameHeaderSize + pageSize),
                data.count == Self.frameHeaderSize + pageSize
            else { break }
            let frame = [UInt8](data)
            let page = Self.word(frame, 0)
            let commit = Self.word(frame, 4) != 0
            let stored = (Self.word(frame, 16), Self.word(frame, 20))
            guard Self.word(frame, 8) == salts.0 && Self.word(frame, 12) == salts.1 else {
                // A frame of an earlier generation: this generation ends here.
                if chainIntact { break }
                continue
            }
            let computed = Self.checksum(
                frame[Self.frameHeaderSize...], bigEndian: bigEndian, Self.checksum(frame[0..<8], bigEndian: bigEndian, sum))
            let checks = computed == stored
            if chainIntact && checks {
                if commit {
                    lastValidCommitFrame = index
                    keptCommits += 1
                }
            } else {
                if chainIntact {
                    chainIntact = false
                    damagedFrame = index
                }
                pendingFrames += 1
                pendingPages.insert(page)
                pendingSeqs.formUnion(MessageLeafPage.seqs(in: frame[Self.frameHeaderSize...], number: page))
                if commit {
                    dropped.commits += 1
                    dropped.frames += pendingFrames
                    dropped.pages.formUnion(pendingPages)
                    dropped.seqs.formUnion(pendingSeqs)
                    pendingFrames = 0
                    pendingPages = []
                    pendingSeqs = []
                }
            }
            sum = stored
        }
        droppedCommits = dropped.commits
        droppedFrames = dropped.frames
        droppedPages = dropped.pages.sorted()
        droppedMessageSeqs = dropped.seqs.sorted()
    }

    /// A 32-bit big-endian word of `bytes` at `offset`.
    private static func word(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    /// SQLite's WAL checksum of `bytes` (a multiple of 8 long) continuing from `start`,
    /// reading the words in the byte order the magic names.
    private static func checksum(_ bytes: ArraySlice<UInt8>, bigEndian: Bool, _ start: (UInt32, UInt32)) -> (UInt32, UInt32) {
        var (s0, s1) = start
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset + 8 <= raw.count {
                var x0 = raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
                var x1 = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                if bigEndian {
                    x0 = UInt32(bigEndian: x0)
                    x1 = UInt32(bigEndian: x1)
                } else {
                    x0 = UInt32(littleEndian: x0)
                    x1 = UInt32(littleEndian: x1)
                }
                s0 = s0 &+ x0 &+ s1
                s1 = s1 &+ x1 &+ s0
                offset += 8
            }
        }
        return (s0, s1)
    }
}
