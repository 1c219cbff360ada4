import Adapters
import ArgumentParser
import DepartmentFormats
import HubClient
import Logging
import ServiceLifecycle

/// `swhub adapter <department> --config FILE` without `--simulate`: the department's file
/// adapter, until SIGTERM or SIGINT.
struct FileAdapterCommand {
    let department: SimulatedDepartment.Kind
    let config: String
    let party: String
    let client: HubClientConfiguration
    let logger: Logger

    func run() async throws {
        let settings = try AdapterSettings.load(path: config)
        switch department {
        case .customs:
            try await serve(CustomsFiles(settings: settings.customs), settings)
        case .tax:
            try await serve(TaxFiles(), settings)
        case .forex:
            try await serve(ForexFiles(), settings)
        case .post:
            let post = settings.post
            let options = CN23Options(
                ieFlag: post.ieFlag, logisticsCode: post.logisticsCode, logisticsName: post.logisticsName, ebcCode: post.ebcCode)
            try await serve(PostFiles(options: options, encoding: post.encoding == "csv" ? .csv : .jsonLines), settings)
        case .bank:
            try await serve(BankFiles(settings: settings.bank), settings)
        }
    }

    private func serve<Files: DepartmentFiles>(_ files: Files, _ settings: AdapterSettings) async throws {
        let adapter = try FileAdapter(
            party: party, files: files, folders: settings.folders, configuration: client, logger: logger,
            pollInterval: .milliseconds(settings.pollMs))
        do {
            let welcome = try await adapter.connect()
            guard welcome.party == party else {
                Output.line("error: the hub knows this key as '\(welcome.party)', but \(config) says party '\(party)'")
                throw ExitStatus.configuration.exitCode
            }
            Output.line(
                "adapter \(department.rawValue) as \(party): inbox \(settings.folders.inbox.path), outbox \(settings.folders.outbox.path), resuming after seq \(welcome.ackedSeq)"
            )
        } catch let error as HubClientError where error.code == .timeout {
            logger.warning("no WELCOME from the hub yet; carrying on, the client keeps trying", metadata: ["error": "\(error)"])
        }
        try await AdapterRun.run(FileAdapterService(run: { await adapter.run() }), failure: { adapter.failure }, logger: logger)
        let summary = adapter.summary
        Output.line(
            "adapter \(department.rawValue) stopped: \(summary.archived) files archived, \(summary.rejected) rejected, "
                + "\(summary.submitted) messages journaled, \(summary.written) files written, acknowledged up to seq \(summary.acknowledged)"
        )
    }
}

/// A file adapter as a `Service`: runs until graceful shutdown.
struct FileAdapterService: Service {
    let run: @Sendable () async -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown { await run() }
    }
}
