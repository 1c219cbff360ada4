import ArgumentParser
import Foundation
import HubCore
import HubMonitor
import HubServer
import HubStore
import HubStorePostgres
import Logging
import ServiceLifecycle

/// `swhub serve`: runs the hub until SIGTERM or SIGINT, then drains gracefully. The hub's
/// parts and the web monitor are services of one `ServiceGroup`, in dependency order, so
/// shutdown runs in reverse: the monitor stops, the router drains, then the journal writer
/// and the rest stop. A part that ends unexpectedly shuts the others down the same way and
/// the command fails (exit status non-zero), so that systemd restarts the hub.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the hub with a config file.")

    @Option(help: "The hub's config file (see Deploy/hub.yaml).")
    var config: String

    @Flag(
        help: """
            Start read-only over a damaged journal, to deliver and replay what is left: every SUBMIT \
            is refused (503 READ_ONLY) and acknowledgements are not saved.
            """)
    var salvage = false

    @Option(
        help: """
            Where the hub writes swhub.pid and swhub.reload, which `swhub reload` reads (default: the journal's \
            folder; with a PostgreSQL journal, the config file's).
            """)
    var runDir: String?

    @Flag(
        help: """
            Leave core dumps as inherited. By default serve disables them at start (RLIMIT_CORE 0, \
            PR_SET_DUMPABLE 0): a core file would hold keys and personal data.
            """)
    var allowCoreDumps = false

    @Flag(
        help: """
            Take this config's key vault (or, without keys:, none) as the one the journal's personal \
            fields are sealed with from now on, when the journal names another: what the other vault \
            sealed stays unreadable. Without it such a start is refused (exit 78).
            """)
    var acceptVaultChange = false

    @OptionGroup var log: LogOptions

    func run() async throws {
        MallocTuning.apply()
        SQLiteProcessSettings.apply()  // before any journal is opened
        let logger = log.bootstrap(label: "swhub")
        if allowCoreDumps {
            logger.warning("core dumps are allowed (--allow-core-dumps): a core file would hold keys and personal data")
        } else {
            try CoreDumps.disable()
        }
        let registry = MetricsBootstrap.registry  // before the hub creates its metric handles
        var hubConfig = try HubConfig.load(path: config)
        hubConfig.settings.readOnly = salvage
        // Every value checked before anything is opened: keys, token, journal folder, free endpoints.
        try HubPreflight(config: hubConfig).run()
        let runDirectory = RunDirectory(explicit: runDir, configPath: config, config: hubConfig)
        try runDirectory.refuseIfTaken()
        let keyPair = try Hub.loadKeyPair(path: hubConfig.settings.keyFile)
        var keyFileInfo = stat()
        if stat(hubConfig.settings.keyFile, &keyFileInfo) == 0, keyFileInfo.st_mode & 0o077 != 0 {
            logger.warning(
                "the hub's secret key file can be read by other users than its owner: chmod 600 it",
                metadata: ["key_file": "\(hubConfig.settings.keyFile)", "mode": "\(String(keyFileInfo.st_mode & 0o777, radix: 8))"])
        }
        if salvage {
            logger.critical(
                "SALVAGE MODE: the journal is opened READ-ONLY; every SUBMIT is refused (503 READ_ONLY), acknowledgements are not saved",
                metadata: ["journal": "\(hubConfig.settings.journal)"])
        }
        let journalName =
            hubConfig.store.postgres.map { "postgres \($0.hosts.map(\.description).joined(separator: ","))/\($0.database)" }
            ?? hubConfig.settings.journal
        let store = try Self.openJournal(
            hubConfig.store, salvage: salvage, archive: hubConfig.archive, crypto: hubConfig.crypto, logger: logger)
        // Personal fields are sealed in the journal with the vault's keys (README, "Personal
        // data at rest"); without keys: they are journaled as submitted, said loudly.
        let personalData = try PersonalDataCipher.make(config: hubConfig)
        try SealingVaultCheck.check(
            store, vault: personalData?.vault, accept: acceptVaultChange, readOnly: salvage, logger: logger)
        if personalData == nil, !hubConfig.personalData.fields.isEmpty {
            logger.warning(
                "personal fields are journaled in the clear: this config has no keys: section",
                metadata: ["types": "\(hubConfig.personalData.fields.keys.sorted().joined(separator: ","))"])
        }
        let hub: Hub
        do {
            hub = try Hub(config: hubConfig, keyPair: keyPair, store: store, personalData: personalData?.cipher, logger: logger)
        } catch let error as StoreError where error.code == .corrupt || error.code == .journalBehind {
            // What the hub reads as it starts (acknowledgement positions, the flows' state)
            // found the file damaged: as damaged as if the open had found it.
            throw CommandFailure(.configuration, "the journal is damaged: \(error.reason)")
        }
        // What starting took and let go (the flows' snapshot, the journal after it) goes back.
        (store as? SQLiteJournalStore)?.releaseMemory()
        MallocTuning.releaseFreed()
        logger.info(
            "starting hub",
            metadata: [
                "endpoint": "\(hubConfig.settings.endpoint)", "journal": "\(journalName)",
                "parties": "\(hubConfig.parties.count)", "types": "\(hubConfig.types.count)",
            ])
        // Shut down in reverse order: the monitor first, then the hub drains.
        var services = hub.services
        if let monitor = hubConfig.monitor {
            let inspector = try JournalAccess.inspector(hubConfig.store, archiveDirectory: hubConfig.archive?.directory)
            let resources = ResourceMetrics(journalPath: hubConfig.store.postgres == nil ? hubConfig.settings.journal : nil)
            var sources = MonitorService.Sources(
                snapshot: { hub.snapshot() }, metrics: registry,
                trace: { id in
                    do {
                        return try inspector.trace(id)
                    } catch let error as StoreError where error.code == .notFound {
                        return nil
                    }
                }, refreshMetrics: { resources.update() })
            sources.statistics = ReportCommand.page(config: hubConfig, configPath: config)
            let token = try monitor.tokenFile.map { try MonitorService.loadToken(path: $0) }
            services.append(
                .init(
                    service: MonitorService(host: monitor.host, port: monitor.port, sources: sources, token: token, logger: logger),
                    successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup))
            logger.info("monitor enabled", metadata: ["url": "http://\(monitor.host):\(monitor.port)/"])
        }
        // SIGHUP (`swhub reload`) reloads the config file; after the hub's parts, so it stops first.
        services.append(
            .init(
                service: ReloadService(
                    hub: hub, configPath: config, runDirectory: runDirectory,
                    logger: logger),
                successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("hub stopped: a part ended unexpectedly", metadata: ["error": "\(error)"])
            throw error
        }
        logger.info("hub stopped")
    }

    /// Opens the journal before any socket is bound. A damaged journal (behind its head
    /// record, an unreadable head record, a damaged file, here or while the hub reads its
    /// starting state) is refused with exit status 78:
    /// restarting will not help, an operator must look (`swhub verify`, `--salvage`).
    ///
    /// A PostgreSQL journal that cannot be opened because a setting is wrong (a refused
    /// login, a missing database, an unreadable password file) also exits 78; one whose
    /// servers cannot be reached or have no primary exits 4 (retry later).
    static func openJournal(
        _ store: HubConfig.Store, salvage: Bool, archive: HubConfig.Archive? = nil, crypto: CryptoSuite = .standard, logger: Logger
    ) throws -> any JournalStore {
        switch store {
        case .sqlite(let path):
            // The journal's folder is made when missing, as `swhub config check` says it can be.
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            if !salvage, !FileManager.default.fileExists(atPath: folder) {
                do {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                } catch {
                    throw CommandFailure(.configuration, "hub.journal's folder \(folder) cannot be made: \(error.localizedDescription)")
                }
            }
            do {
                return try SQLiteJournalStore(path: path, logger: logger, readOnly: salvage, archiveSettings: archive, crypto: crypto)
            } catch let error as StoreError where error.code == .journalBehind || error.code == .corrupt {
                throw CommandFailure(.configuration, "the journal is damaged: \(error.reason)")
            } catch let error as StoreError where error.code == .suiteMismatch || error.code == .cryptoUnavailable {
                throw CommandFailure(.configuration, "cannot open the journal: \(error)")
            }
        case .postgres(let settings):
            guard !salvage else {
                throw CommandFailure(
                    .configuration,
                    "--salvage serves a damaged SQLite journal; a PostgreSQL journal is repaired with PostgreSQL's own tools")
            }
            do {
                return try PostgresJournalStore(settings: settings, logger: logger, crypto: crypto, archiveSettings: archive)
            } catch let error as StoreError where error.code == .suiteMismatch || error.code == .cryptoUnavailable {
                throw CommandFailure(.configuration, "cannot open the PostgreSQL journal: \(error)")
            } catch let error as StoreError where error.code == .openFailed || error.code == .migrationFailed {
                throw CommandFailure(.configuration, "cannot open the PostgreSQL journal: \(error.reason)")
            } catch let error as StoreError where error.code == .unavailable {
                throw CommandFailure(.retryLater, "cannot open the PostgreSQL journal: \(error.reason)")
            }
        }
    }
}
