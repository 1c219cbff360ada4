import Foundation
import HubCore
import HubStore
import HubStorePostgres
import Logging

/// `swhub status --cluster`: the hub nodes sharing a PostgreSQL journal, the flows' leader
/// and the database's replication, read from the database (safe beside running nodes).
enum ClusterStatusCommand {
    /// A node silent for longer than this is shown as down (it reports each second).
    static let downAfterMs: Int64 = 5000

    static func run(config path: String, json: Bool) throws {
        let config = try HubConfig.load(path: path)
        guard let settings = config.store.postgres else {
            throw CommandFailure(
                .refused, "\(path) keeps its journal in SQLite: one hub, no cluster (see README, \"A hub cluster on PostgreSQL\")")
        }
        // Read-only: a status command neither creates nor upgrades the journal's tables.
        let queries = try PostgresJournalQueries(
            settings: settings, logger: Logger(label: "swhub", factory: { _ in SwiftLogNoOpLogHandler() }))
        let status = try queries.clusterStatus()
        if json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys]
            Output.line(String(decoding: try encoder.encode(status), as: UTF8.self))
            return
        }
        Output.line(render(status))
    }

    static func render(_ status: ClusterStatus) -> String {
        var lines = ["database primary \(status.primary)"]
        let names = status.synchronousStandbyNames
        lines.append("  synchronous standbys: \(names.isEmpty ? "none (commits do not wait for a standby)" : names)")
        if status.standbys.isEmpty { lines.append("  no standby is connected") }
        for standby in status.standbys {
            let lag = standby.replayLagMs.map { "replay lag \($0) ms" } ?? "replay lag 0 ms"
            lines.append("  standby \(standby.name) \(standby.address) \(standby.state) \(standby.syncState), \(lag)")
        }
        let leader =
            status.flowLeader.map { "\($0) (lease ends in \(status.flowLeaseExpiresInMs ?? 0) ms)" } ?? "none (the lease has expired)"
        lines.append("flows run on: \(leader)")
        lines.append("hub nodes:")
        for node in status.nodes {
            let state = node.silentMs > downAfterMs ? "DOWN (silent \(node.silentMs / 1000) s)" : "up"
            var line = "  \(node.name)  \(node.endpoint)  \(state)  head \(node.headSeq)"
            if node.leadsFlows { line += "  runs the flows" }
            line += "  parties: \(node.parties.isEmpty ? "none" : node.parties.joined(separator: ", "))"
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
