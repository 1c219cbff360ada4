import Foundation

/// The account the test servers run as. PostgreSQL refuses to run as root (`initdb` and
/// `postgres` both), and CI runs the tests as root: then the servers run as the
/// unprivileged `postgres` user that Debian's postgresql-common creates, through
/// `setpriv` (which execs, so the process started is the server itself). When the tests do
/// not run as root, the servers run as the tests' own user, directly.
struct ServerAccount: Sendable {
    let uid: uid_t
    let gid: gid_t
    let name: String
    /// True when the tests run as root and the servers run through `setpriv`.
    let dropsPrivileges: Bool

    static let setpriv = "/usr/bin/setpriv"

    /// The account for this process: itself, or `postgres` when running as root.
    static func current() throws -> ServerAccount {
        let uid = getuid()
        guard uid == 0 else {
            let name = getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(uid)"
            return ServerAccount(uid: uid, gid: getgid(), name: name, dropsPrivileges: false)
        }
        guard let entry = getpwnam("postgres") else {
            throw PostgresHarnessError(
                .noServerAccount, "running as root and there is no `postgres` user to run PostgreSQL as (install postgresql-common)")
        }
        guard FileManager.default.isExecutableFile(atPath: setpriv) else {
            throw PostgresHarnessError(.noServerAccount, "running as root and \(setpriv) (util-linux) is missing")
        }
        return ServerAccount(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid, name: "postgres", dropsPrivileges: true)
    }

    /// The executable and arguments that run `executable` as this account.
    func wrap(_ executable: String, _ arguments: [String]) -> (executable: String, arguments: [String]) {
        guard dropsPrivileges else { return (executable, arguments) }
        return (Self.setpriv, ["--reuid=\(uid)", "--regid=\(gid)", "--init-groups", "--", executable] + arguments)
    }

    /// Makes `path` this account's (when running as root; otherwise it already is).
    func own(_ path: String) throws {
        guard dropsPrivileges else { return }
        guard chown(path, uid, gid) == 0 else {
            throw PostgresHarnessError(.startFailed, "chown \(path) to \(name): \(String(cString: strerror(errno)))")
        }
    }

    /// Creates a directory (mode 0700) owned by this account.
    func makeDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try own(path)
    }

    /// Writes a file (mode 0600) owned by this account.
    func writeFile(_ path: String, _ contents: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw PostgresHarnessError(.startFailed, "cannot write \(path)")
        }
        try own(path)
    }

    /// The environment the servers and tools get: nothing inherited but PATH, so a PG*
    /// variable of the test's environment cannot change what they connect to.
    static func environment(home: String, _ extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": home, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        ]
        environment.merge(extra) { _, new in new }
        return environment
    }
}
