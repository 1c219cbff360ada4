import Foundation

/// Writes that survive a power loss: a file's bytes and its name in its folder both on the
/// disk before the call returns. Foundation's `Data.write(options: .atomic)` and a bare
/// `rename` leave the folder's entry in the page cache: after a power loss the file can be
/// missing, or back at its previous version, although the writer went on as if it were
/// saved (acknowledged a delivery, committed a vault rewrap).
public enum DurableFile {
    /// Writes `bytes` as `path`, replacing any file there, atomically (a reader sees the old
    /// file or the new one whole) and durably: a temporary file beside it is written,
    /// `fsync`ed, renamed over `path`, and the folder is `fsync`ed.
    /// - Parameters:
    ///   - bytes: The content.
    ///   - path: Where it goes.
    ///   - mode: The new file's permissions (a secret key: 0o600).
    /// - Throws: ``DurableFileError`` naming the step and the path; the temporary file is removed.
    public static func write(_ bytes: some Collection<UInt8>, to path: String, mode: mode_t = 0o644) throws(DurableFileError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        // A temporary file an interrupted write left is removed, never reused: O_EXCL makes
        // the new one with `mode`, whatever mode the old one had.
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw DurableFileError("create", temporary, errno) }
        var failure: DurableFileError?
        let content = Array(bytes)
        content.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = DurableFileError("write", temporary, errno)
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = DurableFileError("fsync", temporary, errno) }
        if close(descriptor) != 0, failure == nil { failure = DurableFileError("close", temporary, errno) }
        if failure == nil, rename(temporary, path) != 0 { failure = DurableFileError("rename to \(path)", temporary, errno) }
        if let failure {
            unlink(temporary)
            throw failure
        }
        try syncFolder(folder)
    }

    /// `fsync`s the folder `path`, so that the names created, renamed or removed in it are
    /// on the disk.
    /// - Throws: ``DurableFileError`` when the folder cannot be opened or synced.
    public static func syncFolder(_ path: String) throws(DurableFileError) {
        let descriptor = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw DurableFileError("open folder", path, errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw DurableFileError("fsync folder", path, errno) }
    }

    /// `fsync`s the folder that holds `path`.
    /// - Throws: ``DurableFileError`` as ``syncFolder(_:)``.
    public static func syncFolder(holding path: String) throws(DurableFileError) {
        try syncFolder(URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }
}

/// A step of a durable write that failed: which step, on which path, and the system's reason.
public struct DurableFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The step: "create", "write", "fsync", "close", "rename to …", "open folder", "fsync folder".
    public var step: String
    public var path: String
    /// The `errno` value.
    public var errorNumber: Int32

    /// A failure of `step` on `path` with `errno` value `errorNumber`.
    public init(_ step: String, _ path: String, _ errorNumber: Int32) {
        self.step = step
        self.path = path
        self.errorNumber = errorNumber
    }

    public var description: String {
        "\(step) \(path): \(String(cString: strerror(errorNumber)))"
    }
}
