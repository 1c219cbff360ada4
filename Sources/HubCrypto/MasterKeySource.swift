internal import Foundation
internal import HubThreads

/// Where the master key comes from: a key file, or a command that prints it (so that an
/// HSM or a KMS can stand behind it). Either way there is no fallback: a key that cannot be
/// had is an error, never "no encryption".
public enum MasterKeySource: Sendable, Equatable, CustomStringConvertible {
    /// A file holding the key's line; it must be a regular file owned by the user running
    /// the hub, with mode 0600 or 0400.
    case file(path: String)
    /// A program and its arguments, run without a shell; it must exit 0 within `timeout`
    /// seconds and print the key's line on standard output.
    case command(argv: [String], timeout: Double)

    /// How long a key command may run by default, seconds.
    public static let defaultCommandTimeout: Double = 30

    public var description: String {
        switch self {
        case .file(let path): "master key file \(path)"
        case .command(let argv, _): "master key command \(argv.first ?? "")"
        }
    }

    /// Reads the master key.
    /// - Throws: ``CryptoError`` `masterKeyUnavailable` (no file, command failed or timed
    ///   out), `masterKeyRefused` (unsafe file, wrong format).
    public func load() throws(CryptoError) -> MasterKey {
        switch self {
        case .file(let path):
            return try MasterKey(line: try Self.readKeyFile(path), source: "master key file \(path)")
        case .command(let argv, let timeout):
            let output = try MasterKeyCommand(argv: argv, timeout: timeout).run()
            return try MasterKey(line: output, source: "the output of master key command \(argv.first ?? "")")
        }
    }

    /// Where a master key command's program is: `name` itself if it holds a `/`, else the
    /// first executable `name` on `PATH`; nil when there is none.
    public static func locateProgram(_ name: String) -> String? {
        MasterKeyCommand.locate(name)
    }

    /// Checks a key file the way ``load()`` does (regular file, this user's, 0600 or 0400)
    /// and returns its text.
    static func readKeyFile(_ path: String) throws(CryptoError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            throw CryptoError(.masterKeyUnavailable, "master key file \(path) cannot be read: \(reason)")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw CryptoError(.masterKeyRefused, "master key file \(path) is not a regular file")
        }
        guard info.st_uid == geteuid() else {
            throw CryptoError(
                .masterKeyRefused, "master key file \(path) is owned by uid \(info.st_uid), not by this user (uid \(geteuid()))")
        }
        let mode = info.st_mode & 0o777
        guard mode == 0o600 || mode == 0o400 else {
            throw CryptoError(
                .masterKeyRefused, "master key file \(path) has mode \(String(mode, radix: 8)): it must be 600 or 400 (chmod 600 \(path))")
        }
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4096 else {
            throw CryptoError(.masterKeyUnavailable, "master key file \(path) cannot be read, or is over 4096 bytes")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes `key` to a new file at `path` with mode 0600; an existing file is never
    /// overwritten (a master key lost is every personal field lost).
    /// - Throws: ``CryptoError`` `alreadyExists`, or `masterKeyUnavailable` when the file
    ///   cannot be written.
    public static func writeKeyFile(_ key: MasterKey, to path: String) throws(CryptoError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST {
                throw CryptoError(.alreadyExists, "\(path) exists: a master key file is never overwritten")
            }
            throw CryptoError(.masterKeyUnavailable, "cannot create master key file \(path): \(String(cString: strerror(code)))")
        }
        defer { close(descriptor) }
        // The umask may have narrowed the mode further; make it exactly 0600.
        fchmod(descriptor, 0o600)
        let bytes = Array(key.line.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw CryptoError(.masterKeyUnavailable, "cannot write master key file \(path): \(reason)")
        }
        // Its name on the disk too, before the vault is rewrapped under it: a power loss must
        // not leave a vault wrapped by a key whose file is gone.
        do {
            try DurableFile.syncFolder(holding: path)
        } catch {
            unlink(path)
            throw CryptoError(.masterKeyUnavailable, "cannot sync the folder of master key file \(path): \(error)")
        }
    }
}
