#if canImport(Glibc)
import Glibc
#endif

/// Lets go of the journal's pages in the kernel's page cache once they fall `window` bytes
/// behind the end of the database file: the message pages a checkpoint appended, which
/// nothing reads again unless a replay or a long catch-up asks for them.
///
/// Why: the database file only grows, so every checkpoint copies the WAL's frames into page
/// cache pages the file never had, and the kernel takes fresh memory for each. On the 2-core
/// virtual machines this project is measured on, memory the guest has not touched for a
/// while is backed by the hypervisor only on first touch: a 16 KiB `pwrite` into such memory
/// took 55–92 µs, against about 8 µs into memory the kernel had just freed, and the WAL
/// checkpointer spent 5–7 µs per 1 KB message on it (BENCHMARKS.md, "The journal's old pages
/// let go of"). Pages dropped here go back to the kernel's free lists, and the next pages
/// the file needs are taken from there.
/// PostgreSQL drops WAL segments from the cache the same way (`POSIX_FADV_DONTNEED`) when
/// nothing will read them.
///
/// What it costs a reader: a page read after it was dropped comes from the disk once (a
/// sequential read for a replay; one random read for an index page) and then stays cached
/// for as long as the kernel keeps it: each range of the file is dropped once, when it falls
/// out of the window, never again. Only what was appended after the journal opened is
/// dropped; what the hub read while starting stays as the kernel left it.
///
/// `POSIX_FADV_DONTNEED` drops clean pages only (dirty ones have their write-back started and
/// are kept), so calling it right after a checkpoint, whose `fsync` made them clean, is what
/// frees them. It drops only the page cache's folios that lie wholly inside the range, and a
/// folio can be as large as 2 MiB, so the ranges start and end on 2 MiB boundaries: a folio
/// is then either in a range or not, never left behind astride two. It changes no data: a
/// failed call costs nothing but the memory.
///
/// Used by one thread (the WAL checkpointer's).
final class PageCacheTrim {
    /// How much of the file's end stays as the kernel keeps it: 64 MiB, the WAL's bound, so
    /// a receiver that fell behind by less than about one WAL of messages reads its backlog
    /// from memory.
    static let defaultWindow: Int64 = 64 << 20

    private let descriptor: Int32
    private let window: Int64
    /// Everything before this offset has been dropped once, or was there when it opened
    /// (rounded up to a ``granule``).
    private(set) var trimmedThrough: Int64

    /// Opens `path` (read-only, for its advice) and starts after its current end.
    /// - Returns: nil when the file cannot be opened (nothing is trimmed then).
    init?(path: String, window: Int64 = PageCacheTrim.defaultWindow) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        self.window = window
        var info = stat()
        let size = fstat(descriptor, &info) == 0 ? Int64(info.st_size) : 0
        trimmedThrough = Self.floor(size + Self.granule - 1)
    }

    deinit {
        close(descriptor)
    }

    /// Drops what fell out of the window since the last call.
    /// - Returns: The bytes advised away (0 when nothing new fell out, or the call failed).
    @discardableResult
    func trim() -> Int64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return 0 }
        let end = Self.floor(Int64(info.st_size) - window)
        guard end > trimmedThrough else { return 0 }
        let start = trimmedThrough
        trimmedThrough = end
        return posix_fadvise(descriptor, off_t(start), off_t(end - start), POSIX_FADV_DONTNEED) == 0 ? end - start : 0
    }

    /// The step the ranges move by: 2 MiB, the largest page cache folio (a PMD's worth).
    static let granule: Int64 = 2 << 20

    /// `offset` rounded down to a multiple of ``granule`` (0 for a negative offset).
    private static func floor(_ offset: Int64) -> Int64 {
        max(0, offset & ~(granule - 1))
    }
}
