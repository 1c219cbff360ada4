import Foundation

/// A Patroni cluster for a test: one etcd and `nodes` Patroni-managed PostgreSQL servers
/// on loopback ports in one temporary directory, in `synchronous_mode` (only the
/// synchronous standby may be promoted). Node 0 is started first and bootstraps the
/// cluster (`initdb`); the others clone it. PostgreSQL and Patroni run as the `postgres`
/// user when the tests run as root.
///
/// `synchronous_mode_strict` is off by default: with it on, a two-node cluster that lost
/// either node refuses every write (no synchronous standby left), so a failover would
/// leave the new primary unusable until the old node returns. With it off, Patroni takes
/// a dead standby out of `synchronous_standby_names` and the survivor writes alone; a
/// confirmed commit is still never lost by a failover, as only the synchronous standby
/// is promoted.
///
///     let cluster = try await PatroniCluster.launch()
///     defer { cluster.shutdown() }
///     let old = try await cluster.killLeader()
///     let new = try await cluster.waitForNewLeader(not: old)
public final class PatroniCluster: @unchecked Sendable {
    /// A member as Patroni's REST API `GET /cluster` shows it.
    public struct Member: Decodable, Sendable, Equatable {
        public var name: String
        /// `leader`, `sync_standby` or `replica`.
        public var role: String
        /// `running`, `streaming`, `starting`, `stopped`, `crashed`, ...
        public var state: String
        public var host: String?
        public var port: Int?
        public var timeline: Int?
    }

    private struct ClusterReply: Decodable { var members: [Member] }

    /// The temporary directory holding etcd's and every node's files.
    public let directory: URL
    /// The superuser of every node (the hub's user in tests).
    public let user = "swhub"
    /// The superuser's password.
    public let password: String
    /// A file (mode 0600) holding the password alone: the hub's `password_file`.
    public let passwordFile: String
    /// How long a dead leader's key lives (Patroni's `ttl`, seconds).
    public let ttl: Int
    /// `host:port` of each node's PostgreSQL, by node index: the hub's list of hosts.
    public var hosts: [String] { nodes.map(\.endpoint) }
    /// `127.0.0.1:port` of etcd's client API.
    public var etcdEndpoint: String { etcd.endpoint }

    let nodes: [PatroniNode]
    let binaries: PostgresBinaries
    private let etcd: EtcdServer
    private let removed = NSLock()
    private var isRemoved = false

    /// Starts etcd and `nodes` Patroni nodes, and waits until there is a running leader
    /// and a synchronous standby, and every node runs.
    /// - Parameters:
    ///   - ttl: Patroni's `ttl`: a leader that died is replaced after at most this many
    ///     seconds (plus a loop of 1 s). Short in tests; on a loaded machine, too short a
    ///     ttl makes a slow leader lose its key.
    ///   - strictSynchronous: `synchronous_mode_strict` (see the type's documentation).
    public static func launch(
        nodes count: Int = 2, ttl: Int = 10, strictSynchronous: Bool = false, within limit: Duration = .seconds(240)
    ) async throws -> PatroniCluster {
        let cluster = try await PatroniCluster(count: count, ttl: ttl, strictSynchronous: strictSynchronous)
        do {
            try cluster.nodes[0].start()
            try await cluster.waitUntil(limit, "node 0 did not become the leader") { members in
                members.contains { $0.name == cluster.nodes[0].name && $0.role == "leader" && $0.state == "running" }
            }
            for node in cluster.nodes.dropFirst() { try node.start() }
            try await cluster.waitForSynchronousStandby(within: limit)
            return cluster
        } catch {
            cluster.shutdown()
            throw error
        }
    }

    private init(count: Int, ttl: Int, strictSynchronous: Bool) async throws {
        precondition(count >= 1, "a cluster has at least one node")
        let account = try ServerAccount.current()
        let binaries = try PostgresBinaries.find()
        let password = UUID().uuidString
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-patroni-\(UUID().uuidString.prefix(8))")
        try account.makeDirectory(directory.path)
        let passwordFile = directory.appendingPathComponent("password").path
        try account.writeFile(passwordFile, password)
        let etcd = try await EtcdServer(directory: directory.appendingPathComponent("etcd"), within: .seconds(60))
        var made: [PatroniNode] = []
        let settings = PatroniNode.Settings(
            scope: "swhub-\(UUID().uuidString.prefix(8).lowercased())", etcd: etcd.endpoint, binaries: binaries, user: "swhub",
            password: password, replicationPassword: UUID().uuidString, ttl: ttl, strictSynchronous: strictSynchronous)
        do {
            for index in 0..<count {
                let node = try PatroniNode(
                    name: "node\(index)", directory: directory.appendingPathComponent("node\(index)"), account: account)
                try node.writeConfig(settings)
                made.append(node)
            }
        } catch {
            etcd.stop()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        self.binaries = binaries
        self.password = password
        self.ttl = ttl
        self.directory = directory
        self.passwordFile = passwordFile
        self.etcd = etcd
        nodes = made
        LiveServers.claim(directory)
        LiveServers.add(self) { [weak self] in self?.shutdown() }
    }

    deinit { shutdown() }

    /// The members as the first node whose Patroni answers sees them (from etcd).
    public func members() throws -> [Member] {
        var failures: [String] = []
        for node in nodes where node.isRunning {
            do {
                let reply = try LoopbackHTTP.get(port: node.restPort, "/cluster")
                guard reply.status == 200 else {
                    failures.append("\(node.name): HTTP \(reply.status)")
                    continue
                }
                return try JSONDecoder().decode(ClusterReply.self, from: Data(reply.body.utf8)).members
            } catch {
                failures.append("\(node.name): \(error)")
            }
        }
        throw PostgresHarnessError(.httpFailed, "no Patroni REST API answered: \(failures.joined(separator: "; "))")
    }

    /// The index of the running leader, if there is one now.
    public func leader() throws -> Int? {
        try members().first { $0.role == "leader" && $0.state == "running" }.flatMap(index(of:))
    }

    /// The index of the synchronous standby, if there is one now.
    public func synchronousStandby() throws -> Int? {
        try members().first { $0.role == "sync_standby" && ["running", "streaming"].contains($0.state) }.flatMap(index(of:))
    }

    /// Waits until a running leader and a running synchronous standby exist and every
    /// running node's member is running; returns their indexes.
    @discardableResult
    public func waitForSynchronousStandby(within limit: Duration = .seconds(180)) async throws -> (leader: Int, standby: Int) {
        var found: (Int, Int)?
        let alive = Set(nodes.filter(\.isRunning).map(\.name))
        try await waitUntil(limit, "no leader with a synchronous standby") { members in
            let up = members.filter { ["running", "streaming"].contains($0.state) }
            guard Set(up.map(\.name)).isSuperset(of: alive),
                let leader = up.first(where: { $0.role == "leader" }).flatMap(index(of:)),
                let standby = up.first(where: { $0.role == "sync_standby" }).flatMap(index(of:))
            else { return false }
            found = (leader, standby)
            return true
        }
        guard let found else { throw PostgresHarnessError(.timeout, "no leader with a synchronous standby") }
        return found
    }

    /// Crashes node `index`: SIGKILL of its Patroni, then of its PostgreSQL (postmaster
    /// and backends), as the loss of its machine would. Returns once all are gone.
    public func killNode(_ index: Int, within limit: Duration = .seconds(30)) async throws {
        try await nodes[index].kill9(within: limit)
    }

    /// Crashes the current leader's node (see ``killNode(_:within:)``); returns its index.
    @discardableResult
    public func killLeader(within limit: Duration = .seconds(30)) async throws -> Int {
        guard let leader = try leader() else { throw PostgresHarnessError(.startFailed, "the cluster has no leader to kill") }
        try await killNode(leader, within: limit)
        return leader
    }

    /// Starts node `index`'s Patroni again (after ``killNode(_:within:)``): it rejoins as
    /// a replica of the current leader (or leads, if none).
    public func startNode(_ index: Int) throws {
        try nodes[index].start()
    }

    /// Waits until a node other than `old` leads and its PostgreSQL accepts writes
    /// (`pg_is_in_recovery()` is false); returns its index. Patroni promotes the
    /// synchronous standby once the dead leader's key expired (``ttl``).
    @discardableResult
    public func waitForNewLeader(not old: Int, within limit: Duration = .seconds(120)) async throws -> Int {
        var found: Int?
        try await waitUntil(limit, "no new leader after node \(old)") { members in
            guard let leader = members.first(where: { $0.role == "leader" && $0.state == "running" }).flatMap(index(of:)),
                leader != old, (try? psql("SELECT pg_is_in_recovery()", node: leader, timeout: .seconds(15))) == "f"
            else { return false }
            found = leader
            return true
        }
        guard let found else { throw PostgresHarnessError(.timeout, "no new leader after node \(old)") }
        return found
    }

    /// Runs `sql` through `psql -At` as the superuser on node `node`'s PostgreSQL.
    @discardableResult
    public func psql(_ sql: String, node: Int, database: String = "postgres", timeout: Duration = .seconds(60)) throws -> String {
        try binaries.psql(
            host: "127.0.0.1", port: nodes[node].postgresPort, user: user, password: password, database: database, sql,
            timeout: timeout)
    }

    /// Creates a database on the current leader (it replicates to the others).
    public func createDatabase(_ database: String) throws {
        guard let leader = try leader() else { throw PostgresHarnessError(.startFailed, "the cluster has no leader") }
        try psql("CREATE DATABASE \"\(database)\"", node: leader)
    }

    /// The last lines of node `node`'s Patroni log (PostgreSQL's output included).
    public func logTail(node: Int, lines: Int = 40) -> String {
        ServerProcesses.tail(nodes[node].logPath, lines: lines)
    }

    /// Every node's log tail, and etcd's.
    public func logTails(lines: Int = 20) -> String {
        (nodes.indices.map { "[\(nodes[$0].name)]\n\(logTail(node: $0, lines: lines))" }
            + ["[etcd]\n\(ServerProcesses.tail(etcd.logPath, lines: lines))"])
            .joined(separator: "\n")
    }

    /// Stops every node (SIGTERM to Patroni, which stops PostgreSQL; SIGKILL of what is
    /// left after 60 s), then etcd, and removes the directory. Idempotent; blocks.
    public func shutdown() {
        LiveServers.remove(self)
        let first = removed.withLock {
            defer { isRemoved = true }
            return !isRemoved
        }
        guard first else { return }
        for node in nodes { node.terminate() }
        let deadline = ContinuousClock.now + .seconds(60)
        for node in nodes { node.finish(by: deadline) }
        etcd.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    private func index(of member: Member) -> Int? {
        nodes.firstIndex { $0.name == member.name }
    }

    /// Polls `GET /cluster` until `condition` holds for the members.
    private func waitUntil(_ limit: Duration, _ what: String, _ condition: ([Member]) throws -> Bool) async throws {
        var last = "no answer yet"
        try await ServerProcesses.pollUntil(limit, "\(what); last seen: \(last)", logTail: logTails()) {
            let members: [Member]
            do { members = try self.members() } catch {
                last = "\(error)"
                return false
            }
            last = members.map { "\($0.name) \($0.role) \($0.state)" }.joined(separator: ", ")
            return try condition(members)
        }
    }
}
