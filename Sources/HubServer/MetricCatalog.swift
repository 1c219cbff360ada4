/// Every metric family the hub exports on `/metrics`, with its type and its HELP text: the
/// executable's metrics factory gives each family the help found here (swift-metrics has no
/// help of its own), and the monitoring kit's tests check that every family `/metrics`
/// shows, every metric label in the sources and every name the alerting rules and the
/// dashboard use is listed. A new metric is added here first.
public enum MetricCatalog {
    /// A family's Prometheus type.
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    /// One family.
    public struct Family: Sendable {
        /// The family's name (a histogram's series add `_bucket`, `_sum`, `_count`).
        public let name: String
        public let kind: Kind
        /// Its labels, in the order the hub sets them.
        public let labels: [String]
        /// The `# HELP` text.
        public let help: String

        init(_ name: String, _ kind: Kind, _ labels: [String] = [], _ help: String) {
            self.name = name
            self.kind = kind
            self.labels = labels
            self.help = help
        }
    }

    /// The families, grouped as README's table lists them.
    public static let families: [Family] = [
        // Traffic.
        Family(
            "swhub_messages_in_total", .counter, ["type", "party"],
            "Submissions journaled, by message type and sending party (duplicates not counted; party hub: the flows' own messages)."),
        Family("swhub_messages_out_total", .counter, ["type", "party"], "Deliveries sent, by message type and receiving party."),
        Family(
            "swhub_errors_total", .counter, ["code", "name"],
            "ERROR answers the hub sent (refusals and failures), by the stable code and its name."),
        Family("swhub_hello_beyond_head_total", .counter, [], "HELLOs refused because their acked_seq is beyond the journal head."),
        // Parties.
        Family("swhub_connected", .gauge, ["party"], "1 while the party has a receiving session or its heartbeats arrive, else 0."),
        Family("swhub_connected_parties", .gauge, [], "Parties connected."),
        Family("swhub_backlog_messages", .gauge, ["party"], "Messages journaled for the party and not yet acknowledged."),
        Family(
            "swhub_ack_lag_seconds", .gauge, ["party"],
            "Age of the oldest message journaled for the party and not yet acknowledged (0 when none)."),
        Family("swhub_acked_seq", .gauge, ["party"], "The party's acknowledgement position: deliveries resume after this seq."),
        // Journal.
        Family("swhub_journal_head_seq", .gauge, [], "The journal's head: the last seq this hub knows journaled."),
        Family("swhub_journal_commit_seconds", .histogram, [], "Duration of each group commit of the journal."),
        Family(
            "swhub_personal_fields_unreadable_total", .counter, [],
            "Journal records read for a party whose sealed personal fields could not be opened (a shredded data key, another master key); handed on without them."
        ),
        Family(
            "swhub_journal_write_failures_total", .counter, [],
            "Group commits that failed (answered 501 JOURNAL_FAILURE; the disk is full or failing)."),
        Family(
            "swhub_journal_unavailable_total", .counter, [],
            "Group commits answered 303 JOURNAL_UNAVAILABLE: the PostgreSQL primary could not be reached."),
        Family(
            "swhub_journal_corrupt_records_total", .counter, [],
            "Distinct damaged journal records met since start (failed their check when read; never served)."),
        Family(
            "swhub_journal_unordered_ids_total", .counter, ["party"],
            "Messages journaled with an id that sorts before the party's previous one: about one per two messages for random ids (PROTOCOL.md section 5)."
        ),
        Family(
            "swhub_journal_elsewhere_records_total", .counter, [],
            "Records other hub nodes journaled that this node handed to its router (a cluster on PostgreSQL)."),
        Family(
            "swhub_journal_size_bytes", .gauge, ["file"],
            "Size on disk of the SQLite journal's files: file=journal (the database), wal, head (the head record)."),
        Family(
            "swhub_journal_filesystem_avail_bytes", .gauge, [],
            "Bytes available to the hub on the file system holding the SQLite journal."),
        Family("swhub_journal_filesystem_size_bytes", .gauge, [], "Size in bytes of the file system holding the SQLite journal."),
        // Archive (a journal with `archive:`, on either store).
        Family(
            "swhub_archive_segments_total", .counter, [],
            "Archive segments sealed since start (records moved from the live journal into segment files)."),
        Family("swhub_archive_records_total", .counter, [], "Records sealed into archive segments since start."),
        Family(
            "swhub_archive_deleted_segments_total", .counter, [],
            "Archive segment files deleted since start because every record in them was past its type's retention."),
        Family("swhub_archive_archived_up_to_seq", .gauge, [], "The last seq sealed into an archive segment (0: none)."),
        Family(
            "swhub_archive_held_back", .gauge, [],
            "1 while a party that has not acknowledged, or the flows' newest snapshot, holds archiving below what archive.live_for allows, else 0."
        ),
        // Cluster and flows.
        Family("swhub_cluster_flow_leader", .gauge, [], "1 while this node runs the flows of a cluster (holds their lease), else 0."),
        Family(
            "swhub_cluster_flow_candidate", .gauge, [],
            "1 when this node is a cluster node with flows configured (takes the flows' lease when it is free), else 0."),
        Family("swhub_flows", .gauge, ["kind", "state"], "Registrations and declarations in memory, by kind and unified state."),
        // Tap.
        Family("swhub_tap_published_total", .counter, ["party"], "Monitoring-tap copies published for the observing party."),
        Family(
            "swhub_tap_dropped_total", .counter, ["party"], "Monitoring-tap copies dropped because the party's subscribers were too slow."),
        Family("swhub_tap_subscriptions", .gauge, ["party"], "The party's applied tap subscriptions."),
        Family(
            "swhub_tap_refused_subscriptions_total", .counter, [], "Tap subscriptions refused (outside the subscriber's own party prefix)."),
        // Configuration.
        Family(
            "swhub_config_reloads_total", .counter, ["result"],
            "Configuration reloads (swhub reload, SIGHUP), by result: ok (applied) or refused (the configuration in force stays)."),
        // The process.
        Family("swhub_build_info", .gauge, ["version"], "Always 1; the label names the running swhub version."),
        Family("process_cpu_seconds_total", .counter, [], "User and system CPU time the process spent, in seconds."),
        Family("process_resident_memory_bytes", .gauge, [], "Resident memory size of the process, in bytes."),
        Family("process_virtual_memory_bytes", .gauge, [], "Virtual memory size of the process, in bytes."),
        Family("process_open_fds", .gauge, [], "Open file descriptors of the process."),
        Family("process_max_fds", .gauge, [], "The process's limit of open file descriptors."),
        Family("process_start_time_seconds", .gauge, [], "Start time of the process since the Unix epoch, in seconds."),
    ]

    /// The help text by family name.
    public static let help: [String: String] = Dictionary(uniqueKeysWithValues: families.map { ($0.name, $0.help) })
}
