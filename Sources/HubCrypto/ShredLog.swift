internal import Foundation
internal import HubThreads

/// The append-only shred log beside a vault: one JSON ``Tombstone`` per line, each written
/// and synced before the keys it names are deleted. Opening a vault applies it again, so a
/// vault restored from a backup older than a shred loses the shredded keys again.
///
/// A last line without its newline is a shred that never started deleting (the log is
/// written first) and is ignored; any other line that does not read is an error, since a
/// shred that cannot be read cannot be applied.
struct ShredLog {
    let path: String

    /// The tombstones in the log, oldest first (none when there is no log).
    func read() throws(CryptoError) -> [Tombstone] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CryptoError(.vaultFailure, "shred log \(path) cannot be read")
        }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // The part after the last newline: empty, or a torn write.
        lines.removeLast()
        var tombstones: [Tombstone] = []
        for (index, line) in lines.enumerated() where !line.isEmpty {
            guard let tombstone = try? JSONDecoder().decode(Tombstone.self, from: Data(line)) else {
                throw CryptoError(
                    .vaultFailure, "shred log \(path), line \(index + 1), does not read as a tombstone: the shreds cannot be applied")
            }
            tombstones.append(tombstone)
        }
        return tombstones
    }

    /// Appends `tombstone` and syncs it to disk (the file is made with mode 0600, and its
    /// folder synced so that its name survives a power loss too). A torn last line, left by
    /// a write that a power loss or a full disk cut short, is cut off first: appending after
    /// it would make a line that never reads again, and every later opening of the vault
    /// would fail. A write that fails is cut off the same way, leaving the log as it was.
    func append(_ tombstone: Tombstone) throws(CryptoError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let json = try? encoder.encode(tombstone) else {
            throw CryptoError(.vaultFailure, "cannot encode a tombstone for \(tombstone.enterprise)")
        }
        let existed = FileManager.default.fileExists(atPath: path)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CryptoError(.vaultFailure, "cannot open shred log \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        if !existed {
            do {
                try DurableFile.syncFolder(holding: path)
            } catch {
                throw CryptoError(.vaultFailure, "cannot sync the folder of shred log \(path): \(error)")
            }
        }
        let end = try wholeLinesEnd(descriptor)
        let bytes = Array(json) + [UInt8(ascii: "\n")]
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, end) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            if ftruncate(descriptor, end) == 0 { _ = fsync(descriptor) }
            throw CryptoError(.vaultFailure, "cannot write shred log \(path): \(reason)")
        }
    }

    /// The length of the log up to its last newline, the file cut there (and synced) when a
    /// torn line follows it.
    private func wholeLinesEnd(_ descriptor: Int32) throws(CryptoError) -> off_t {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw CryptoError(.vaultFailure, "cannot read shred log \(path): \(String(cString: strerror(errno)))")
        }
        let size = Int(info.st_size)
        guard size > 0 else { return 0 }
        var content = [UInt8](repeating: 0, count: size)
        let read = content.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, size, 0) }
        guard read == size else {
            throw CryptoError(.vaultFailure, "cannot read shred log \(path): \(String(cString: strerror(errno)))")
        }
        guard content.last != UInt8(ascii: "\n") else { return off_t(size) }
        let end = content.lastIndex(of: UInt8(ascii: "\n")).map { off_t($0 + 1) } ?? 0
        guard ftruncate(descriptor, end) == 0, fsync(descriptor) == 0 else {
            throw CryptoError(.vaultFailure, "cannot cut the torn last line of shred log \(path): \(String(cString: strerror(errno)))")
        }
        return end
    }
}
