import Foundation

extension PostgresServer {
    /// Makes a streaming-replication standby of this server: `pg_basebackup -R` into a new
    /// temporary directory, started on its own port with `primary_conninfo`'s
    /// `application_name` (and `cluster_name`) = `name`, same user and password. With
    /// `synchronous`, `name` joins this server's `synchronous_standby_names`
    /// (`FIRST n (...)`, every synchronous standby confirms each commit) and the
    /// configuration is reloaded. Returns once `pg_stat_replication` shows the standby
    /// streaming and, when synchronous, with `sync_state = 'sync'`.
    public func makeStandby(name: String, synchronous: Bool, within limit: Duration = .seconds(180)) async throws -> PostgresServer {
        let standby = try PostgresServer(name: name, settings: settings, password: password, user: user)
        do {
            let conninfo = "host=\(host) port=\(port) user=\(user) application_name=\(name)"
            let arguments = ["-D", standby.dataDirectory, "-d", conninfo, "-R", "-X", "stream", "-c", "fast"]
            let environment = ServerAccount.environment(home: standby.directory.path, ["PGPASSWORD": password])
            let binaries = self.binaries
            let account = self.account
            _ = try await ServerProcesses.blocking {
                try ServerProcesses.check(binaries.path("pg_basebackup"), arguments, environment: environment, as: account, timeout: limit)
            }
            // The copy carries this server's synchronous_standby_names (ALTER SYSTEM): a
            // standby promoted with it would wait for standbys of its own forever.
            try standby.dropSynchronousStandbyNames()
            try await standby.start(within: limit)
            if synchronous {
                synchronousStandbys.append(name)
                try applySynchronousStandbys()
            }
            let wanted = synchronous ? "sync" : nil
            try await ServerProcesses.pollUntil(
                limit, "standby \(name) not streaming\(synchronous ? " synchronously" : "") to \(self.name)",
                logTail: { standby.logTail() }
            ) {
                let state = try replicationState(of: name)
                guard let state, state.state == "streaming" else { return false }
                return wanted == nil || state.sync == wanted
            }
            return standby
        } catch {
            standby.shutdown()
            throw error
        }
    }

    /// The standby's row of `pg_stat_replication` on this server, if it is connected.
    public func replicationState(of standby: String) throws -> (state: String, sync: String)? {
        let row = try psql(
            "SELECT state, sync_state FROM pg_stat_replication WHERE application_name = '\(standby.replacingOccurrences(of: "'", with: "''"))'"
        )
        let fields = row.split(separator: "\n").first?.split(separator: "|").map(String.init) ?? []
        return fields.count == 2 ? (fields[0], fields[1]) : nil
    }

    /// Promotes this standby (`pg_promote`) and waits until it is out of recovery,
    /// accepting writes.
    public func promote(within limit: Duration = .seconds(60)) async throws {
        let seconds = max(1, Int(limit.components.seconds))
        try psql("SELECT pg_promote(true, \(seconds))", timeout: limit + .seconds(10))
        try await ServerProcesses.pollUntil(limit, "\(name) still in recovery after promotion", logTail: { logTail() }) {
            try !isInRecovery()
        }
    }

    /// Sets `synchronous_standby_names` to this server's synchronous standbys and reloads.
    private func applySynchronousStandbys() throws {
        let names = synchronousStandbys.map { "\"\($0)\"" }.joined(separator: ", ")
        let value = names.isEmpty ? "" : "FIRST \(synchronousStandbys.count) (\(names))"
        try psql("ALTER SYSTEM SET synchronous_standby_names = '\(value)';\nSELECT pg_reload_conf();")
    }

    /// Removes `synchronous_standby_names` from postgresql.auto.conf (the file keeps its
    /// owner: it is rewritten in place).
    private func dropSynchronousStandbyNames() throws {
        let path = dataDirectory + "/postgresql.auto.conf"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("synchronous_standby_names") }
        guard kept.count != text.split(separator: "\n", omittingEmptySubsequences: false).count else { return }
        guard let handle = FileHandle(forUpdatingAtPath: path) else {
            throw PostgresHarnessError(.startFailed, "cannot rewrite \(path)")
        }
        defer { try? handle.close() }
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(kept.joined(separator: "\n").utf8))
    }
}
