import Foundation

/// A real PostgreSQL server for a test: its own temporary directory (data directory, Unix
/// socket directory, log, password file), `initdb` with a superuser and a password
/// (`scram-sha-256` over TCP), `postgres` on a free 127.0.0.1 port with durable settings
/// (`fsync=on`, `synchronous_commit=on`) and streaming replication enabled.
///
/// When the tests run as root (CI), the server runs as the `postgres` user through
/// `setpriv` (PostgreSQL refuses root); otherwise as the tests' user. The postmaster is a
/// child of the test process. `shutdown()` (or `deinit`) stops it and removes the directory.
///
///     let server = try await PostgresServer.launch()
///     defer { server.shutdown() }
///     try server.createDatabase("journal")
///     let standby = try await server.makeStandby(name: "standby1", synchronous: true)
public final class PostgresServer: @unchecked Sendable {
    /// The name of the server: its `cluster_name` and, for a standby, the
    /// `application_name` it streams under.
    public let name: String
    /// The temporary directory holding everything of this server.
    public let directory: URL
    /// The address it listens on.
    public let host = "127.0.0.1"
    /// The TCP port it listens on.
    public let port: Int
    /// The superuser (the hub's user in tests).
    public let user: String
    /// The superuser's password.
    public let password: String
    /// A file (mode 0600) holding the password alone, no newline: the hub's `password_file`.
    public let passwordFile: String

    /// `host:port`.
    public var endpoint: String { "\(host):\(port)" }
    /// The data directory.
    public var dataDirectory: String { directory.appendingPathComponent("data").path }
    /// The server's log (its standard error).
    public var logPath: String { directory.appendingPathComponent("postgres.log").path }
    var socketDirectory: String { directory.appendingPathComponent("sock").path }

    let binaries: PostgresBinaries
    let account: ServerAccount
    let settings: [String: String]
    private let lock = NSLock()
    private var postmaster: Process?
    private var removed = false
    /// The standbys the primary waits for (`synchronous_standby_names`), in order.
    var synchronousStandbys: [String] {
        get { locked { synchronousNames } }
        set { locked { synchronousNames = newValue } }
    }
    private var synchronousNames: [String] = []

    /// Makes a new server in a new temporary directory (`initdb`) and starts it.
    /// - Parameters:
    ///   - name: its `cluster_name` (shows in `ps` and logs).
    ///   - settings: more `-c name=value` settings of `postgres` (they win over the defaults).
    ///   - limit: how long initdb and the start may take together.
    public static func launch(
        name: String = "primary", settings: [String: String] = [:], within limit: Duration = .seconds(120)
    ) async throws -> PostgresServer {
        let server = try PostgresServer(name: name, settings: settings, password: UUID().uuidString)
        do {
            let binaries = server.binaries
            let account = server.account
            let arguments = [
                "-D", server.dataDirectory, "-U", server.user, "--pwfile=\(server.passwordFile)", "--auth-local=trust",
                "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C",
            ]
            let environment = ServerAccount.environment(home: server.directory.path)
            _ = try await ServerProcesses.blocking {
                try ServerProcesses.check(binaries.path("initdb"), arguments, environment: environment, as: account, timeout: limit)
            }
            try await server.start(within: limit)
            return server
        } catch {
            server.shutdown()
            throw error
        }
    }

    /// A server object for a new directory (password file and socket directory made); no
    /// data directory yet.
    init(name: String, settings: [String: String], password: String, user: String = "swhub") throws {
        self.name = name
        self.settings = settings
        self.password = password
        self.user = user
        binaries = try PostgresBinaries.find()
        account = try ServerAccount.current()
        port = try ServerProcesses.freePort()
        LiveServers.reapOrphans(prefix: "swhub-pg-")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-pg-\(UUID().uuidString.prefix(8))")
        passwordFile = directory.appendingPathComponent("password").path
        try account.makeDirectory(directory.path)
        try account.makeDirectory(directory.appendingPathComponent("sock").path)
        try account.writeFile(passwordFile, password)
        LiveServers.claim(directory)
        LiveServers.add(self) { [weak self] in self?.shutdown() }
    }

    deinit { shutdown() }

    /// The `postgres` command line: the durable and replication settings, then `settings`.
    var commandLine: [String] {
        var values: [String: String] = [
            "listen_addresses": host, "port": "\(port)", "unix_socket_directories": socketDirectory, "cluster_name": name,
            "fsync": "on", "synchronous_commit": "on", "full_page_writes": "on", "wal_level": "replica", "max_wal_senders": "10",
            "max_replication_slots": "10", "wal_keep_size": "256MB", "hot_standby": "on", "shared_buffers": "32MB",
            "logging_collector": "off",
        ]
        values.merge(settings) { _, new in new }
        return ["-D", dataDirectory] + values.keys.sorted().flatMap { ["-c", "\($0)=\(values[$0] ?? "")"] }
    }

    /// Starts the server on its directory (again, after `stop()` or `kill9()`) and waits
    /// until it accepts connections (a standby: until it accepts read-only ones).
    public func start(within limit: Duration = .seconds(120)) async throws {
        if let running = locked({ postmaster }), running.isRunning { return }
        // Left by a killed postmaster (this object started the only one): its pid may be
        // reused by another process by now, which would make postgres refuse to start.
        try? FileManager.default.removeItem(atPath: dataDirectory + "/postmaster.pid")
        let process = try ServerProcesses.launch(
            binaries.path("postgres"), commandLine, environment: ServerAccount.environment(home: directory.path), as: account,
            logPath: logPath)
        locked { postmaster = process }
        try await ServerProcesses.pollUntil(limit, "PostgreSQL \(name) on \(endpoint) did not accept connections", logTail: logTail()) {
            guard process.isRunning else {
                throw PostgresHarnessError(
                    .startFailed, "PostgreSQL \(name) exited with status \(process.terminationStatus) while starting",
                    logTail: logTail())
            }
            return binaries.isReady(host: host, port: port)
        }
    }

    /// Stops the server with a fast shutdown (SIGINT: sessions are cut, a checkpoint is
    /// written) and waits until it has exited.
    public func stop(within limit: Duration = .seconds(60)) async throws {
        guard let process = locked({ postmaster }) else { return }
        if process.isRunning { kill(process.processIdentifier, SIGINT) }
        try await ServerProcesses.pollUntil(limit, "PostgreSQL \(name) did not stop", logTail: logTail()) { !process.isRunning }
        locked { postmaster = nil }
    }

    /// Crashes the server: SIGKILL of the postmaster, then of its backends and helpers (as
    /// the loss of its machine would), and waits until all are gone. Nothing is flushed
    /// or checkpointed; `start()` runs crash recovery.
    public func kill9(within limit: Duration = .seconds(30)) async throws {
        guard let process = locked({ postmaster }) else { return }
        let pid = process.processIdentifier
        let children = ServerProcesses.children(of: pid)
        ServerProcesses.killAll([pid] + children)
        try await ServerProcesses.waitGone(children, within: limit, "PostgreSQL \(name) after SIGKILL")
        try await ServerProcesses.pollUntil(limit, "PostgreSQL \(name)'s postmaster outlived SIGKILL") { !process.isRunning }
        locked { postmaster = nil }
    }

    /// The postmaster's pid while it runs.
    public var pid: Int32? {
        guard let process = locked({ postmaster }), process.isRunning else { return nil }
        return process.processIdentifier
    }

    /// Runs `sql` through `psql -At` as the superuser over TCP; returns the output (rows
    /// one a line, columns separated by `|`), trimmed. Throws with psql's error message.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres", timeout: Duration = .seconds(60)) throws -> String {
        try binaries.psql(host: host, port: port, user: user, password: password, database: database, sql, timeout: timeout)
    }

    /// Creates a database owned by the superuser.
    public func createDatabase(_ database: String) throws {
        try psql("CREATE DATABASE \"\(database)\"")
    }

    /// True while the server is a standby (`pg_is_in_recovery()`).
    public func isInRecovery() throws -> Bool {
        try psql("SELECT pg_is_in_recovery()") == "t"
    }

    /// The last lines of the server's log, for failure messages.
    public func logTail(lines: Int = 40) -> String {
        ServerProcesses.tail(logPath, lines: lines)
    }

    /// Stops the server (fast shutdown; SIGKILL if it has not exited within 30 s) and
    /// removes its directory. Idempotent; blocks the calling thread.
    public func shutdown() {
        LiveServers.remove(self)
        let process: Process? = locked {
            defer { postmaster = nil }
            return postmaster
        }
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGINT)
            let deadline = ContinuousClock.now + .seconds(30)
            while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
            if process.isRunning {
                let children = ServerProcesses.children(of: process.processIdentifier)
                ServerProcesses.killAll([process.processIdentifier] + children)
                process.waitUntilExit()
            }
        }
        let remove = locked {
            defer { removed = true }
            return !removed
        }
        if remove { try? FileManager.default.removeItem(at: directory) }
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
