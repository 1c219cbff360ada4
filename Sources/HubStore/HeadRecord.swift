import Foundation
import HubThreads

/// The journal's head record: a small file `<journal>-head` beside the journal, saying how
/// far the journal had committed (head seq and the chain value there, ``JournalChain``),
/// written and fsync'd after every commit that moved the head, before the commit is
/// acknowledged.
///
/// A journal that comes back shorter than its head record (restored from an older copy, a
/// disk or file system that lost writes it had reported durable) would otherwise be served
/// as if nothing was missing: the hub would hand out the lost seqs again to new messages.
/// With the record, opening such a journal for writing fails (`journalBehind`).
///
/// The file has two fixed slots, written alternately, each holding a magic, the seq, the
/// chain value and a 32-bit checksum of those (XXH3, truncated): a write torn by a crash damages one slot only, and
/// the other still holds the previous head. Reading takes the valid slot with the higher seq.
final class HeadRecord: @unchecked Sendable {
    /// One slot's content.
    struct Mark: Equatable, Sendable {
        var seq: UInt64
        var chain: [UInt8]
    }

    /// What the file holds.
    enum Content: Equatable {
        /// No file.
        case missing
        /// A file, but neither slot is valid.
        case unreadable
        /// The valid slot with the higher seq, and which slot it is.
        case found(Mark, slot: Int)
    }

    /// Where slot `n` starts: slots sit in separate 4 KiB blocks, so that a torn write of
    /// one never reaches the other.
    static let slotStride = 4096
    private static let magic: [UInt8] = Array("SWH1".utf8)
    private static let slotSize = 4 + 8 + 32 + 4

    let path: String
    private let descriptor: Int32
    /// The slot the next write goes to (read and written by one thread at a time: the store's
    /// writer, or the one that writes its ``HeadSeal``s in commit order).
    private var nextSlot: Int

    /// The head record of the journal at `journal`.
    static func path(journal: String) -> String { journal + "-head" }

    /// Opens an existing head record for writing; the first write goes to the slot other
    /// than `current`.
    init(path: String, current slot: Int) throws {
        self.path = path
        descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StoreError(code: .openFailed, reason: "cannot open the head record \(path): \(Self.errorText())")
        }
        nextSlot = 1 - slot
    }

    deinit {
        close(descriptor)
    }

    /// Creates the file holding `mark` in slot 0 (slot 1 empty), atomically: written to a
    /// temporary file, fsync'd, renamed over `path`, and the folder fsync'd.
    static func create(path: String, mark: Mark) throws {
        let temporary = path + ".new"
        var bytes = [UInt8](repeating: 0, count: 2 * slotStride)
        bytes.replaceSubrange(0..<slotSize, with: encode(mark))
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError(code: .openFailed, reason: "cannot create the head record \(temporary): \(errorText())")
        }
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            throw StoreError(code: .openFailed, reason: "cannot create the head record \(path): \(errorText())")
        }
        do {
            try DurableFile.syncFolder(holding: path)
        } catch {
            throw StoreError(code: .openFailed, reason: "cannot create the head record \(path): \(error)")
        }
    }

    /// Reads the file at `path`.
    static func read(path: String) throws -> Content {
        guard let data = FileManager.default.contents(atPath: path) else {
            guard FileManager.default.fileExists(atPath: path) else { return .missing }
            throw StoreError(code: .openFailed, reason: "cannot read the head record \(path)")
        }
        let bytes = [UInt8](data)
        var best: (Mark, Int)?
        for slot in 0..<2 {
            let start = slot * slotStride
            guard bytes.count >= start + slotSize, let mark = decode(bytes[start..<(start + slotSize)]) else { continue }
            if best == nil || mark.seq > best?.0.seq ?? 0 { best = (mark, slot) }
        }
        guard let best else { return .unreadable }
        return .found(best.0, slot: best.1)
    }

    /// Writes `mark` into the next slot and waits until it is on disk (fdatasync).
    func write(_ mark: Mark) throws {
        let bytes = Self.encode(mark)
        let offset = off_t(nextSlot * Self.slotStride)
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, offset) }
        guard written == bytes.count else {
            throw StoreError(code: .writeFailed, reason: "cannot write the head record \(path): \(Self.errorText())")
        }
        #if os(Linux)
        let synced = fdatasync(descriptor)
        #else
        let synced = fsync(descriptor)
        #endif
        guard synced == 0 else {
            throw StoreError(code: .writeFailed, reason: "cannot sync the head record \(path): \(Self.errorText())")
        }
        nextSlot = 1 - nextSlot
    }

    /// A slot's bytes: magic, seq (big-endian), chain, 32-bit checksum of those (big-endian).
    static func encode(_ mark: Mark) -> [UInt8] {
        var bytes = magic
        bytes.reserveCapacity(slotSize)
        withUnsafeBytes(of: mark.seq.bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: mark.chain.count == 32 ? mark.chain : JournalChain.genesis)
        let crc = UInt32(truncatingIfNeeded: bytes.withUnsafeBytes { RecordChecksum.plain($0) })
        withUnsafeBytes(of: crc.bigEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// A slot's mark, nil when the slot is empty, torn or not a head record.
    static func decode(_ slot: ArraySlice<UInt8>) -> Mark? {
        let bytes = Array(slot)
        guard bytes.count == slotSize, Array(bytes[0..<4]) == magic else { return nil }
        let crc = bytes[44..<48].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let computed = UInt32(truncatingIfNeeded: bytes[0..<44].withUnsafeBytes { RecordChecksum.plain($0) })
        guard crc == computed else { return nil }
        let seq = bytes[4..<12].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Mark(seq: seq, chain: Array(bytes[12..<44]))
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }
}
