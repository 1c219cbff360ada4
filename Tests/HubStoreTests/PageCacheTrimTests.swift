import Foundation
import Testing

@testable import HubStore

#if canImport(Glibc)
import Glibc
#endif

/// The journal's database pages leave the kernel's page cache once they fall a window behind
/// the file's end, each range once; what was there when the journal opened stays.
@Suite("Page cache trim", .timeLimit(.minutes(1)))
struct PageCacheTrimTests {
    static let kib = 1024
    static let mib = 1024 * 1024

    @Test func dropsEachRangeOnceItFallsOutOfTheWindow() throws {
        let file = try ScratchFile()
        defer { file.remove() }
        try file.append(bytes: Self.mib)
        let trim = try #require(PageCacheTrim(path: file.path, window: Int64(Self.mib)))
        // What the file held when it opened is never dropped (up to the next 2 MiB).
        #expect(trim.trimmedThrough == Int64(2 * Self.mib))
        #expect(trim.trim() == 0)

        try file.append(bytes: 4 * Self.mib)
        // 5 MiB long, 1 MiB kept: 2–4 MiB fall out (ranges move by 2 MiB).
        #expect(trim.trim() == Int64(2 * Self.mib))
        #expect(trim.trimmedThrough == Int64(4 * Self.mib))
        #expect(trim.trim() == 0)
        try file.append(bytes: Self.mib)
        #expect(trim.trim() == 0)
        try file.append(bytes: Self.mib)
        #expect(trim.trim() == Int64(2 * Self.mib))
        #expect(trim.trimmedThrough == Int64(6 * Self.mib))

        guard file.dropsCleanPages, let resident = try file.residentPages() else { return }
        let page = 4096
        let dropped = (2 * Self.mib / page)..<(6 * Self.mib / page)
        #expect(dropped.allSatisfy { !resident[$0] }, "pages behind the window still cached: \(dropped.filter { resident[$0] }.count)")
        #expect((0..<(Self.mib / page)).allSatisfy { resident[$0] }, "a page the file held before was dropped")
        #expect(resident[resident.count - 1], "the last page was dropped")
    }

    @Test func aFileThatCannotBeOpenedIsNotTrimmed() {
        #expect(PageCacheTrim(path: "/nonexistent/journal.sqlite") == nil)
    }

    /// The checkpointer drops a growing database's old pages after its checkpoints.
    @Test func theCheckpointerDropsTheDatabasePagesBehindItsWindow() async throws {
        let journal = try TemporaryJournal()
        defer { journal.remove() }
        let store = try journal.open()
        _ = try store.append((0..<24).map { message(id: "big-\($0)", bodySize: 256 * Self.kib) }, acks: [:])
        let file = ScratchFile(existing: journal.path)
        guard file.dropsCleanPages else { return }
        let opened = try file.size()
        let (trims, trimmed) = AsyncStream.makeStream(of: Int64.self)
        let checkpointer = try WALCheckpointer(
            path: journal.path, interval: 0.01, pageCacheWindow: Int64(512 * Self.kib), logger: TemporaryJournal.logger,
            trimmed: { trimmed.yield($0) })
        let service = checkpointer.service
        service.start()
        // Checkpoints copy the 6 MB from the WAL; the first trim drops from the file's size at
        // open, rounded up to 2 MiB, so that page has left the cache once it is reported.
        var reports = trims.makeAsyncIterator()
        let first = await reports.next()
        let resident = try file.residentPages()
        service.loop.requestStop()
        _ = await service.loop.join()
        trimmed.finish()
        let granule = Int(PageCacheTrim.granule)
        let firstNew = (opened + granule - 1) / granule * granule / 4096
        #expect((first ?? 0) >= Int64(granule), "the first trim dropped \(first ?? 0) bytes")
        #expect(resident.map { firstNew < $0.count && !$0[firstNew] } ?? false, "the first page past the old end is still cached")
        // Dropped pages read back from the disk, every record whole.
        let fetched = try store.fetch(recipient: "bob", after: 0, limit: 100)
        #expect(fetched.records.map(\.body.count) == Array(repeating: 256 * Self.kib, count: 24))
    }
}

/// A file in a fresh temporary directory, and what the page cache holds of it.
private struct ScratchFile {
    let path: String
    private let directory: URL?

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("PageCacheTrim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        path = directory.appendingPathComponent("file").path
    }

    init(existing path: String) {
        self.path = path
        directory = nil
    }

    func remove() {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func size() throws -> Int {
        try WALCheckpointerServiceTests.size(path)
    }

    /// Appends `bytes` bytes and syncs them, so their pages are clean.
    func append(bytes: Int) throws {
        // In SQLite's page size, as a checkpoint writes them.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0x5A, count: 16 * 1024)
        var left = bytes
        while left > 0 {
            let count = min(left, chunk.count)
            guard chunk.withUnsafeBytes({ write(descriptor, $0.baseAddress, count) }) == count else { throw POSIXError(.EIO) }
            left -= count
        }
        guard fsync(descriptor) == 0 else { throw POSIXError(.EIO) }
    }

    /// Whether the file system this file is on drops clean pages when advised to (tmpfs,
    /// for one, keeps them: they are its storage), found out on a probe file beside it.
    var dropsCleanPages: Bool {
        let probe = ScratchFile(existing: (path as NSString).deletingLastPathComponent + "/probe-\(UUID().uuidString)")
        defer { unlink(probe.path) }
        guard (try? probe.append(bytes: 64 * 1024)) != nil else { return false }
        let descriptor = open(probe.path, O_RDONLY)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED) == 0, let resident = try? probe.residentPages() else { return false }
        return !resident.isEmpty && !resident.contains(true)
    }

    /// Which of the file's 4 KiB pages are in the page cache (`mincore` of a mapping that
    /// touches none of them); nil when it cannot be told.
    func residentPages() throws -> [Bool]? {
        let length = try size()
        guard length > 0 else { return [] }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard let mapping = mmap(nil, length, PROT_READ, MAP_SHARED, descriptor, 0), mapping != MAP_FAILED else { return nil }
        defer { munmap(mapping, length) }
        var vector = [UInt8](repeating: 0, count: (length + 4095) / 4096)
        guard mincore(mapping, length, &vector) == 0 else { return nil }
        return vector.map { $0 & 1 == 1 }
    }
}
