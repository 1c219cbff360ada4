import Dispatch
import Foundation
import HubLifecycle
import HubStore
import HubThreads
import Logging
import PostgresNIO

/// One hub node's membership of the cluster: registers and reports the node each second
/// (`cluster_nodes`) and holds or takes over the flows' lease (`flow_lease`).
///
/// The lease is held by this process (`name/incarnation`), never by a name alone, so a
/// node restarted under the same name waits for its previous life's lease to expire. The
/// lease runs for ``leaseSeconds`` by the database's clock and is renewed each second; a
/// holder that has not renewed it for ``stepDownSeconds`` (by its own monotonic clock)
/// steps down, before the lease can have expired, so two nodes never run the flows at
/// once as long as the clocks' rates agree. A graceful stop gives the lease up at once.
///
/// Owns its connection on its own thread (`swhub-pg-cluster`).
final class PostgresClusterMember: @unchecked Sendable {
    /// How long a lease runs after each renewal.
    static let leaseSeconds = 5.0
    /// How long a holder goes on without a renewal before it steps down.
    static let stepDownSeconds = 3.0
    /// How often the node reports and renews.
    static let interval = 1.0

    private let pool: PostgresPool
    private let name: String
    private let holder: String
    private let endpoint: String
    private let wantsFlows: Bool
    private let report: @Sendable () -> ClusterReport
    private let onLeadership: @Sendable (Bool) -> Void
    private let logger: Logger
    private let startedAtUs = WallClock.nowMicroseconds()
    /// Signalled by a stop request, so that the wait between beats ends at once.
    private let wakeUp = DispatchSemaphore(value: 0)
    private let loop: ThreadLoop
    // Only on the member's thread:
    private var link: PostgresLink?
    private var leads = false
    private var lastRenewal = ContinuousClock.now
    private var logPace = LogPace(interval: .seconds(10))

    init(
        pool: PostgresPool, name: String, endpoint: String, wantsFlows: Bool, report: @escaping @Sendable () -> ClusterReport,
        onLeadership: @escaping @Sendable (Bool) -> Void, logger: Logger
    ) {
        self.pool = pool
        self.name = name
        holder = "\(name)/\(UUID().uuidString.prefix(8))"
        self.endpoint = endpoint
        self.wantsFlows = wantsFlows
        self.report = report
        self.onLeadership = onLeadership
        self.logger = logger
        let wakeUp = self.wakeUp
        loop = ThreadLoop(name: "swhub-pg-cluster") { wakeUp.signal() }
    }

    var service: ThreadLoopService {
        ThreadLoopService(loop) { [self] loop in run(loop) }
    }

    private func run(_ loop: ThreadLoop) {
        defer {
            resign()
            link?.close()
        }
        while !loop.isStopRequested {
            beat()
            _ = wakeUp.wait(timeout: .now() + Self.interval)
        }
    }

    /// One report, and one renewal or attempt to take the lease over.
    private func beat() {
        var holds: Bool?
        do {
            let link = try connected()
            let status = report()
            var binds = PostgresBindings()
            binds.append(name)
            binds.append(endpoint)
            binds.append(startedAtUs)
            binds.append(status.parties)
            binds.append(Int64(clamping: status.headSeq))
            binds.append(leads)
            try link.execute(
                """
                INSERT INTO cluster_nodes (name, endpoint, started_at_us, seen_at, parties, head_seq, leads_flows)
                VALUES ($1, $2, $3, clock_timestamp(), $4, $5, $6)
                ON CONFLICT (name) DO UPDATE SET endpoint = $2, started_at_us = $3, seen_at = clock_timestamp(),
                    parties = $4, head_seq = $5, leads_flows = $6
                """, binds)
            if wantsFlows {
                var lease = PostgresBindings()
                lease.append(holder)
                lease.append(Self.leaseSeconds)
                holds = try !link.rows(
                    """
                    UPDATE flow_lease SET holder = $1, expires_at = clock_timestamp() + make_interval(secs => $2)
                    WHERE id = 1 AND (holder = $1 OR expires_at < clock_timestamp()) RETURNING holder
                    """, lease
                ).isEmpty
            }
        } catch {
            link?.close()
            link = nil
            if let heldBack = logPace.allow() {
                logger.warning(
                    "cannot report to the cluster or renew the flows' lease; retrying",
                    metadata: ["error": "\(PostgresFailure.describe(error))", "similar_lines_held_back": "\(heldBack)"])
            }
        }
        guard wantsFlows else { return }
        let now = ContinuousClock.now
        if holds == true { lastRenewal = now }
        let leadsNow = holds ?? (leads && now - lastRenewal < .milliseconds(Int(Self.stepDownSeconds * 1000)))
        guard leadsNow != leads else { return }
        leads = leadsNow
        logger.notice(leadsNow ? "this node now runs the flows" : "this node no longer runs the flows", metadata: ["node": "\(name)"])
        onLeadership(leadsNow)
    }

    /// Gives the lease up (a graceful stop), so another node takes over at once.
    private func resign() {
        guard leads else { return }
        leads = false
        onLeadership(false)
        guard let link else { return }
        var binds = PostgresBindings()
        binds.append(holder)
        try? link.execute("UPDATE flow_lease SET expires_at = '-infinity' WHERE id = 1 AND holder = $1", binds)
        binds = PostgresBindings()
        binds.append(name)
        try? link.execute("UPDATE cluster_nodes SET leads_flows = false WHERE name = $1", binds)
    }

    private func connected() throws -> PostgresLink {
        if let link { return link }
        let opened = try pool.openDedicated()
        link = opened
        return opened
    }
}
