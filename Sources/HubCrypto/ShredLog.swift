internal import Foundation

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

    /// Appends `tombstone` and syncs it to disk (the file is made with mode 0600).
    func append(_ tombstone: Tombstone) throws(CryptoError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let json = try? encoder.encode(tombstone) else {
            throw CryptoError(.vaultFailure, "cannot encode a tombstone for \(tombstone.enterprise)")
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CryptoError(.vaultFailure, "cannot open shred log \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array(json) + [UInt8(ascii: "\n")]
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw CryptoError(.vaultFailure, "cannot write shred log \(path): \(String(cString: strerror(errno)))")
        }
    }
}
