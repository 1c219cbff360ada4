import Foundation
import Synchronization

/// The servers this process started and has not shut down yet, shut down when the process
/// exits normally (`atexit`): a test suite that keeps one server for all its tests, or a
/// test that fails before its cleanup, leaves no PostgreSQL, Patroni or etcd running.
/// Servers of a process that was killed are found by the next launch instead
/// (``reapOrphans(prefix:)``): each server's directory names its owner's pid.
enum LiveServers {
    private static let cleanups = Mutex<[ObjectIdentifier: @Sendable () -> Void]>([:])
    private static let installed: Void = {
        atexit {
            let pending = LiveServers.cleanups.withLock { cleanups in
                defer { cleanups.removeAll() }
                return Array(cleanups.values)
            }
            for cleanup in pending { cleanup() }
        }
    }()

    /// Shuts `server` down at exit unless ``remove(_:)`` was called first.
    static func add(_ server: AnyObject, cleanup: @escaping @Sendable () -> Void) {
        _ = installed
        cleanups.withLock { $0[ObjectIdentifier(server)] = cleanup }
    }

    /// `server` was shut down.
    static func remove(_ server: AnyObject) {
        _ = cleanups.withLock { $0.removeValue(forKey: ObjectIdentifier(server)) }
    }

    /// The file in a server's directory naming the process that owns it.
    static let ownerFile = "owner.pid"

    /// Writes this process's pid into a server's directory.
    static func claim(_ directory: URL) {
        try? "\(getpid())".write(to: directory.appendingPathComponent(ownerFile), atomically: true, encoding: .utf8)
    }

    /// Stops and removes the servers left in the temporary directory by processes that no
    /// longer run (a test binary killed mid-run): SIGKILL to every pid found in their
    /// `postmaster.pid` and `*.pid` files whose owner is gone, then the directory.
    static func reapOrphans(prefix: String) {
        let temporary = FileManager.default.temporaryDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: temporary.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            let directory = temporary.appendingPathComponent(name)
            guard let text = try? String(contentsOf: directory.appendingPathComponent(ownerFile), encoding: .utf8),
                let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), owner != getpid(),
                kill(owner, 0) != 0, errno == ESRCH
            else { continue }
            for pid in pids(under: directory) where pid > 1 { kill(pid, SIGKILL) }
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// The pids named by the pid files under a server directory (first line of each).
    private static func pids(under directory: URL) -> [pid_t] {
        guard let walker = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var found: [pid_t] = []
        for case let path as String in walker where path.hasSuffix(".pid") && !path.hasSuffix(ownerFile) {
            let file = directory.appendingPathComponent(path)
            guard let text = try? String(contentsOf: file, encoding: .utf8),
                let first = text.split(separator: "\n").first, let pid = pid_t(first.trimmingCharacters(in: .whitespaces))
            else { continue }
            found.append(pid)
        }
        return found
    }
}
