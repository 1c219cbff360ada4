import Adapters
import ArgumentParser
import HubClient
import Logging
import ServiceLifecycle

/// `swhub adapter <department> --simulate`: a department as a client process that answers
/// like the department would (PROTOCOL.md section 13), until SIGTERM or SIGINT.
struct Adapter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a department's adapter: its real formats through exchange folders, or a simulation (--simulate).",
        discussion: """
            Without --simulate the adapter bridges the department's own system through the folders and \
            formats of the config's `adapter:` section (see Deploy/adapter-<department>.yaml): customs CEB \
            XML, bank ISO 20022 (camt.053/054 in, pacs.008/pain.001 out), post CN23 (CSV or JSON lines), \
            tax and forex CSV; messages without a department format travel as hub JSON (*.json).
            With --simulate the department answers registrations (reg.Result), customs answers \
            inventories with receipts (120, 500 when inspected, 800, 899; 100 when refused) and summary \
            declarations with a summary result, and every department answers queries from what it \
            received. Decisions follow from the seed and the message ids, so a rerun decides the same.
            """)

    @Argument(help: "The department: customs, tax, forex, post or bank.")
    var department: SimulatedDepartment.Kind

    @Flag(help: "Simulate the department instead of exchanging files with its system.")
    var simulate = false

    @Option(
        help:
            "The department's config file (see Deploy/adapter-customs.yaml): party, hub (hub_endpoint, or hub_endpoints: [A, B] for a hub cluster's nodes), keys, and the adapter's folders and formats."
    )
    var config: String

    @Option(help: "Share of registrations and inventories refused, 0 to 1.")
    var refusalRate = 0.05

    @Option(help: "Share of accepted inventories inspected (status 500) before release, 0 to 1.")
    var inspectionRate = 0.1

    @Option(help: "Seed of the decisions: the same seed decides the same way for the same message ids.")
    var seed: UInt64 = 1

    @Option(parsing: .upToNextOption, help: "Social credit codes to blacklist at start (one credit.Notice each).")
    var blacklist: [String] = []

    @Option(help: "Pause between the receipts of one inventory, milliseconds.")
    var receiptDelayMs = 0

    @Option(help: "Log a progress line every this many deliveries.")
    var logEvery = 1000

    @OptionGroup var log: LogOptions

    func validate() throws {
        guard (0...1).contains(refusalRate), (0...1).contains(inspectionRate) else {
            throw ValidationError("--refusal-rate and --inspection-rate must be between 0 and 1")
        }
        guard receiptDelayMs >= 0, logEvery > 0 else {
            throw ValidationError("--receipt-delay-ms must be ≥ 0 and --log-every > 0")
        }
    }

    func run() async throws {
        let logger = log.bootstrap(label: "swhub.adapter.\(department.rawValue)")
        let clientConfig = try HubClientConfiguration.load(path: config)
        guard let party = clientConfig.party, !party.isEmpty else {
            throw CommandFailure(.configuration, "\(config) names no `party`: the adapter needs its department's party id")
        }
        guard simulate else {
            try await FileAdapterCommand(department: department, config: config, party: party, client: clientConfig, logger: logger).run()
            return
        }
        let options = SimulatedDepartment.Options(
            refusalRate: refusalRate, inspectionRate: inspectionRate, seed: seed, blacklist: blacklist,
            receiptDelayMs: receiptDelayMs)
        let adapter = try DepartmentAdapter(
            department: SimulatedDepartment(kind: department, party: party, options: options), configuration: clientConfig,
            logger: logger, logEvery: logEvery)
        do {
            let welcome = try await adapter.connect()
            guard welcome.party == party else {
                Output.line("error: the hub knows this key as '\(welcome.party)', but \(config) says party '\(party)'")
                throw ExitStatus.configuration.exitCode
            }
            Output.line(
                "adapter \(department.rawValue) (simulated) as \(party), resuming after seq \(welcome.ackedSeq): "
                    + "refusal rate \(refusalRate), inspection rate \(inspectionRate), seed \(seed)")
        } catch let error as HubClientError where error.code == .timeout {
            // The hub may come up later: the client keeps trying.
            logger.warning(
                "no WELCOME from the hub yet; carrying on, the client keeps trying", metadata: ["error": "\(error)"])
        }
        try await AdapterRun.run(AdapterService(adapter: adapter), failure: { adapter.failure }, logger: logger)
        let summary = adapter.summary
        Output.line(
            "adapter \(department.rawValue) stopped: \(summary.department.total) deliveries handled, "
                + "\(summary.submitted) replies journaled, \(summary.refusedByHub) refused by the hub, "
                + "\(summary.department.refused) refusals, \(summary.department.inspected) inspections, "
                + "\(summary.department.queries) queries answered, \(summary.department.malformed) malformed, "
                + "acknowledged up to seq \(summary.acknowledged)")
    }
}

/// The adapter as a `Service`: runs until graceful shutdown.
struct AdapterService: Service {
    let adapter: DepartmentAdapter

    func run() async throws {
        await cancelWhenGracefulShutdown { await adapter.run() }
    }
}

extension SimulatedDepartment.Kind: ExpressibleByArgument {}
