import Foundation

/// One Patroni-managed PostgreSQL of a ``PatroniCluster``: its directory, ports, generated
/// `patroni.yml`, and the Patroni process (which starts and stops PostgreSQL itself).
final class PatroniNode: @unchecked Sendable {
    let name: String
    let directory: URL
    let postgresPort: Int
    let restPort: Int
    let account: ServerAccount
    private let lock = NSLock()
    private var process: Process?

    var configPath: String { directory.appendingPathComponent("patroni.yml").path }
    var dataDirectory: String { directory.appendingPathComponent("data").path }
    /// Patroni's log; PostgreSQL's output goes there too.
    var logPath: String { directory.appendingPathComponent("patroni.log").path }
    var endpoint: String { "127.0.0.1:\(postgresPort)" }

    init(name: String, directory: URL, account: ServerAccount) throws {
        self.name = name
        self.directory = directory
        self.account = account
        postgresPort = try ServerProcesses.freePort()
        restPort = try ServerProcesses.freePort()
        try account.makeDirectory(directory.path)
        try account.makeDirectory(directory.appendingPathComponent("sock").path)
    }

    /// The settings a ``PatroniCluster`` gives all its nodes.
    struct Settings {
        var scope: String
        var etcd: String
        var binaries: PostgresBinaries
        var user: String
        var password: String
        var replicationPassword: String
        var ttl: Int
        var strictSynchronous: Bool
    }

    /// Writes `patroni.yml`. Timing: the leader renews its key every `loop_wait` (1 s);
    /// a leader that stops renewing is replaced after `ttl`; `retry_timeout` is the
    /// most left for etcd and PostgreSQL calls (Patroni wants loop_wait + 2 × retry_timeout
    /// ≤ ttl). Only the synchronous standby may be promoted (`synchronous_mode`), so a
    /// commit the primary confirmed is never lost by a failover.
    func writeConfig(_ settings: Settings) throws {
        let retry = max(2, (settings.ttl - 1) / 2)
        let yaml = """
            scope: \(settings.scope)
            namespace: /swhub-test/
            name: \(name)
            log:
              level: INFO
            restapi:
              listen: 127.0.0.1:\(restPort)
              connect_address: 127.0.0.1:\(restPort)
            etcd3:
              hosts: \(settings.etcd)
            bootstrap:
              dcs:
                ttl: \(settings.ttl)
                loop_wait: 1
                retry_timeout: \(retry)
                maximum_lag_on_failover: 1048576
                synchronous_mode: true
                synchronous_mode_strict: \(settings.strictSynchronous)
                postgresql:
                  use_pg_rewind: true
                  remove_data_directory_on_rewind_failure: true
                  remove_data_directory_on_diverged_timelines: true
                  use_slots: true
                  parameters:
                    wal_level: replica
                    hot_standby: 'on'
                    max_wal_senders: 10
                    max_replication_slots: 10
                    wal_keep_size: 256MB
                    fsync: 'on'
                    synchronous_commit: 'on'
                    full_page_writes: 'on'
                    wal_log_hints: 'on'
              initdb:
              - encoding: UTF8
              - locale: C
              - auth-local: trust
              - auth-host: scram-sha-256
            postgresql:
              listen: 127.0.0.1:\(postgresPort)
              connect_address: 127.0.0.1:\(postgresPort)
              data_dir: \(dataDirectory)
              bin_dir: \(settings.binaries.directory)
              pgpass: \(directory.appendingPathComponent("pgpass").path)
              authentication:
                superuser:
                  username: \(settings.user)
                  password: '\(settings.password)'
                replication:
                  username: replicator
                  password: '\(settings.replicationPassword)'
              parameters:
                unix_socket_directories: '\(directory.appendingPathComponent("sock").path)'
                shared_buffers: 32MB
                cluster_name: '\(name)'
              pg_hba:
              - local all all trust
              - local replication all trust
              - host all all 127.0.0.1/32 scram-sha-256
              - host replication replicator 127.0.0.1/32 scram-sha-256
            watchdog:
              mode: 'off'

            """
        try account.writeFile(configPath, yaml)
    }

    /// Starts Patroni (as the server account). A postmaster.pid left by a killed
    /// postmaster is removed first (its pid, a zombie's or reused, would block the start).
    func start() throws {
        if let running = lock.withLock({ process }), running.isRunning { return }
        if ServerProcesses.postmasterPid(dataDirectory: dataDirectory) != nil, runningPostmaster() == nil {
            try? FileManager.default.removeItem(atPath: dataDirectory + "/postmaster.pid")
        }
        guard let patroni = ["/usr/bin/patroni", "/usr/local/bin/patroni"].first(where: FileManager.default.isExecutableFile(atPath:))
        else {
            throw PostgresHarnessError(.binariesNotFound, "no patroni (install patroni)")
        }
        let started = try ServerProcesses.launch(
            patroni, [configPath], environment: ServerAccount.environment(home: directory.path), as: account, logPath: logPath)
        lock.withLock { process = started }
    }

    /// True while Patroni runs.
    var isRunning: Bool { lock.withLock { process }?.isRunning ?? false }

    /// SIGKILLs Patroni, then its PostgreSQL (postmaster and backends); waits until all are gone.
    func kill9(within limit: Duration) async throws {
        let patroni = lock.withLock { process }
        var pids: [pid_t] = []
        if let patroni, patroni.isRunning { pids.append(patroni.processIdentifier) }
        if let postmaster = runningPostmaster() {
            pids.append(postmaster)
            pids += ServerProcesses.children(of: postmaster)
        }
        ServerProcesses.killAll(pids)
        try await ServerProcesses.waitGone(pids, within: limit, "node \(name) after SIGKILL")
        if let patroni { try await ServerProcesses.pollUntil(limit, "Patroni \(name) outlived SIGKILL") { !patroni.isRunning } }
        lock.withLock { process = nil }
    }

    /// Stops Patroni with SIGTERM (it stops PostgreSQL) without waiting.
    func terminate() {
        guard let patroni = lock.withLock({ process }), patroni.isRunning else { return }
        kill(patroni.processIdentifier, SIGTERM)
    }

    /// Waits (blocking) until Patroni has exited, at most until `deadline`; then SIGKILLs
    /// what is left of the node.
    func finish(by deadline: ContinuousClock.Instant) {
        if let patroni = lock.withLock({ process }) {
            while patroni.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
            if patroni.isRunning {
                kill(patroni.processIdentifier, SIGKILL)
                patroni.waitUntilExit()
            }
        }
        if let postmaster = runningPostmaster() {
            ServerProcesses.killAll([postmaster] + ServerProcesses.children(of: postmaster))
        }
        lock.withLock { process = nil }
    }

    /// The pid in postmaster.pid when that process runs and is this node's postmaster
    /// (its command line names the data directory: a reused pid is never taken for it).
    func runningPostmaster() -> pid_t? {
        guard let pid = ServerProcesses.postmasterPid(dataDirectory: dataDirectory), !ServerProcesses.isGone(pid),
            let command = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")),
            String(decoding: command, as: UTF8.self).contains(dataDirectory)
        else { return nil }
        return pid
    }
}
