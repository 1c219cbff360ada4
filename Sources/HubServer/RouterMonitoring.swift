import Foundation
import HubCore
import HubProtocol
import HubStore
import Logging
import Metrics
import Synchronization

/// The router thread's metrics and monitor snapshot. The hot-path calls (`journaled`,
/// `delivered`, `errorSent`, `seen`) do a dictionary lookup or two on labels that already
/// exist as strings and bump a metric handle cached per label set: nothing is allocated per
/// message once a label set was seen. `tick` runs about once a second: it sets the gauges,
/// hands the acknowledgement positions to the ``BacklogCounter`` thread, and publishes a
/// ``HubSnapshot`` for readers on other threads.
///
/// Owned by the router thread (not Sendable); only `box` and `backlog` are shared.
final class RouterMonitoring {
    /// A message type and a party: the labels of the message counters.
    struct TypeParty: Hashable {
        let type: String
        let party: String
    }

    /// Traffic from one party to another of one type.
    struct EdgeKey: Hashable {
        let from: String
        let to: String
        let type: String
    }

    /// A counter handle and the same count kept here for rates.
    final class Cell {
        let counter: Counter
        var total = 0

        init(_ counter: Counter) { self.counter = counter }
    }

    /// Where the router publishes its snapshot; read from any thread.
    let box: SnapshotBox
    let backlog: BacklogCounter
    private var parties: [(id: String, roles: [String])]
    private let seenWindow: Int
    /// With flows on, a message addressed to nobody goes to the hub's flows: drawn as an edge to `hub`.
    private let flowsOn: Bool

    private var inCells: [TypeParty: Cell] = [:]
    private var outCells: [TypeParty: Cell] = [:]
    private var errorCounters: [UInt32: Counter] = [:]
    /// Journaled messages between parties since start, and its value at each of the last 60 ticks.
    private var edges: [EdgeKey: Int] = [:]
    private var edgeHistory: [[EdgeKey: Int]] = []
    /// Per party (in, out) totals at each of the last 10 ticks, with the tick's time.
    private var rateHistory: [(at: ContinuousClock.Instant, totals: [String: (Int, Int)])] = []
    /// The tick number at which each party last sent anything.
    private var lastSeen: [String: Int] = [:]
    private var ticks = 0
    private var lastTick: ContinuousClock.Instant?

    private var connectedGauges: [String: Gauge] = [:]
    private var backlogGauges: [String: Gauge] = [:]
    private var flowGauges: [FlowTally.StateKey: Gauge] = [:]
    private let connectedParties = Gauge(label: "swhub_connected_parties")
    /// HELLOs that acknowledged a seq beyond the journal's head (refused; a sign of lost records).
    let helloBeyondHead = Counter(label: "swhub_hello_beyond_head_total")
    /// Distinct damaged journal records met since start (never delivered).
    private let corruptRecords = Counter(label: "swhub_journal_corrupt_records_total")
    private let headSeqGauge = Gauge(label: "swhub_journal_head_seq")
    private var lagGauges: [String: Gauge] = [:]
    private var ackedGauges: [String: Gauge] = [:]
    /// The tap's figures, when the hub has a tap (set before the router starts).
    var tap: TapMetrics?

    /// - Parameters:
    ///   - config: the parties (and their roles) to show.
    ///   - store: the journal the backlog is counted in.
    ///   - logger: where the backlog counter logs.
    init(config: HubConfig, store: any JournalStore, logger: Logger) {
        var parties = config.parties.map { (id: $0.id, roles: $0.roles.map(\.rawValue)) }
        if config.flows != nil { parties.append((id: HubConfig.hubParty, roles: ["hub"])) }
        self.parties = parties
        flowsOn = config.flows != nil
        // A party that only submits is "connected" while its heartbeats keep coming.
        seenWindow = max(2, (config.settings.heartbeatMs * 3 + 999) / 1000)
        box = SnapshotBox(
            HubSnapshot(
                parties: parties.map {
                    HubSnapshot.Party(
                        id: $0.id, roles: $0.roles, connected: false, receiving: false, backlog: 0, rateIn: 0, rateOut: 0,
                        totalIn: 0, totalOut: 0, ackedSeq: 0)
                }))
        backlog = BacklogCounter(store: store, logger: logger)
    }

    /// A reload changed the parties: the monitor shows the new list from the next tick
    /// (router thread).
    func partiesChanged(_ config: HubConfig) {
        parties = config.parties.map { (id: $0.id, roles: $0.roles.map(\.rawValue)) }
        if flowsOn { parties.append((id: HubConfig.hubParty, roles: ["hub"])) }
    }

    // MARK: hot path (router thread)

    /// `count` submissions of `type` from `sender` were journaled (not duplicates) for `recipients`.
    func journaled(type: String, sender: String, recipients: [String], count: Int = 1) {
        let key = TypeParty(type: type, party: sender)
        let cell = inCells[key] ?? makeCell(&inCells, key, "swhub_messages_in_total")
        cell.counter.increment(by: Int64(count))
        cell.total += count
        for recipient in recipients {
            edges[EdgeKey(from: sender, to: recipient, type: type), default: 0] += count
        }
        if recipients.isEmpty && flowsOn {
            edges[EdgeKey(from: sender, to: HubConfig.hubParty, type: type), default: 0] += count
        }
    }

    /// `count` messages of `type` were sent to `party` (a DELIVER, or entries of a DELIVER_BATCH).
    func delivered(type: String, party: String, count: Int = 1) {
        let key = TypeParty(type: type, party: party)
        let cell = outCells[key] ?? makeCell(&outCells, key, "swhub_messages_out_total")
        cell.counter.increment(by: Int64(count))
        cell.total += count
    }

    /// The hub sent this ERROR.
    func errorSent(_ error: WireError) {
        if let counter = errorCounters[error.code] {
            counter.increment()
        } else {
            let counter = Counter(label: "swhub_errors_total", dimensions: [("code", String(error.code)), ("name", error.name)])
            errorCounters[error.code] = counter
            counter.increment()
        }
    }

    /// A journal read met a damaged record it had not met before (once per seq).
    func journalDamaged() {
        corruptRecords.increment()
    }

    /// `party` sent a command.
    func seen(_ party: String) {
        lastSeen[party] = ticks
    }

    private func makeCell(_ cells: inout [TypeParty: Cell], _ key: TypeParty, _ label: String) -> Cell {
        let cell = Cell(Counter(label: label, dimensions: [("type", key.type), ("party", key.party)]))
        cells[key] = cell
        return cell
    }

    // MARK: once a second (router thread)

    /// Refreshes gauges and the snapshot if a second has passed since the last time.
    func tick(
        now: ContinuousClock.Instant, headSeq: UInt64, receivers: [String: [UInt8]], acked: [String: UInt64], flows: FlowEngine?
    ) {
        if let lastTick, now - lastTick < .seconds(1) { return }
        lastTick = now
        ticks += 1

        var positions: [String: UInt64] = [:]
        for party in parties where party.id != HubConfig.hubParty { positions[party.id] = acked[party.id] ?? 0 }
        backlog.update(positions: positions)
        let backlogs = backlog.latest()
        let lags = backlog.latestLags()
        headSeqGauge.record(Double(headSeq))

        // Rates over the last ~10 s.
        var totals: [String: (Int, Int)] = [:]
        for (key, cell) in inCells { totals[key.party, default: (0, 0)].0 += cell.total }
        for (key, cell) in outCells { totals[key.party, default: (0, 0)].1 += cell.total }
        rateHistory.append((now, totals))
        if rateHistory.count > 11 { rateHistory.removeFirst(rateHistory.count - 11) }
        let oldest = rateHistory[0]
        let span = (now - oldest.at).seconds

        var snapshot = HubSnapshot()
        snapshot.takenAtUs = WallClock.nowMicroseconds()
        snapshot.headSeq = headSeq
        var connectedCount = 0
        for party in parties {
            let isHub = party.id == HubConfig.hubParty
            let isReceiving = receivers[party.id] != nil
            let connected = isHub || isReceiving || (lastSeen[party.id].map { ticks - $0 <= seenWindow } ?? false)
            if connected && !isHub { connectedCount += 1 }
            let current = totals[party.id] ?? (0, 0)
            let before = oldest.totals[party.id] ?? (0, 0)
            let count = backlogs[party.id] ?? 0
            snapshot.parties.append(
                HubSnapshot.Party(
                    id: party.id, roles: party.roles, connected: connected, receiving: isReceiving, backlog: count,
                    rateIn: span > 0 ? Double(current.0 - before.0) / span : 0,
                    rateOut: span > 0 ? Double(current.1 - before.1) / span : 0,
                    totalIn: current.0, totalOut: current.1, ackedSeq: acked[party.id] ?? 0))
            guard !isHub else { continue }
            gauge(&connectedGauges, party.id, "swhub_connected").record(connected ? 1 : 0)
            gauge(&backlogGauges, party.id, "swhub_backlog_messages").record(count)
            gauge(&ackedGauges, party.id, "swhub_acked_seq").record(Double(acked[party.id] ?? 0))
            if let lag = lags[party.id] { gauge(&lagGauges, party.id, "swhub_ack_lag_seconds").record(lag) }
        }
        connectedParties.record(connectedCount)
        tap?.update()

        // The last minute's traffic.
        edgeHistory.append(edges)
        if edgeHistory.count > 61 { edgeHistory.removeFirst(edgeHistory.count - 61) }
        snapshot.windowSeconds = edgeHistory.count - 1
        let minuteAgo = edgeHistory[0]
        var byPair: [String: HubSnapshot.Edge] = [:]
        for (key, total) in edges {
            let count = total - (minuteAgo[key] ?? 0)
            guard count > 0 else { continue }
            let pair = key.from + "\u{1}" + key.to
            var edge = byPair[pair] ?? HubSnapshot.Edge(from: key.from, to: key.to, count: 0, types: [:])
            edge.count += count
            edge.types[key.type, default: 0] += count
            byPair[pair] = edge
        }
        snapshot.edges = byPair.values.sorted { ($0.count, $1.from, $1.to) > ($1.count, $0.from, $0.to) }

        if let flows {
            snapshot.registrations = flows.recentFlows(.registration)
            snapshot.declarations = flows.recentFlows(.declaration)
            for (key, count) in flows.stateCounts {
                let gauge = flowGauges[key] ?? Gauge(label: "swhub_flows", dimensions: [("kind", key.kind.rawValue), ("state", key.state)])
                flowGauges[key] = gauge
                gauge.record(count)
            }
            snapshot.flows = flows.stateCounts.map {
                HubSnapshot.FlowCount(kind: $0.key.kind.rawValue, state: $0.key.state, count: $0.value)
            }
            .sorted { ($0.kind, $0.state) < ($1.kind, $1.state) }
        }
        box.value.withLock { $0 = snapshot }
    }

    private func gauge(_ gauges: inout [String: Gauge], _ party: String, _ label: String) -> Gauge {
        if let gauge = gauges[party] { return gauge }
        let gauge = Gauge(label: label, dimensions: [("party", party)])
        gauges[party] = gauge
        return gauge
    }
}

/// The latest ``HubSnapshot``, written by the router thread, read by any.
final class SnapshotBox: Sendable {
    let value: Mutex<HubSnapshot>

    init(_ initial: HubSnapshot) { value = Mutex(initial) }
}

extension Duration {
    /// The duration in seconds.
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
