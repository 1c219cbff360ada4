import ArgumentParser
import HubCore
import HubStore

/// `swhub verify`: walks the journal's hash chain and names the first record that was
/// altered or removed (safe beside a running hub: it only reads).
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the journal's hash chain; name the first record altered or removed.")

    @Option(help: "The journal file to read.")
    var journal: String?

    @Option(help: "The hub's config file (its journal is read).")
    var config: String?

    func validate() throws {
        guard (journal == nil) != (config == nil) else {
            throw ValidationError("give the journal with exactly one of --journal PATH or --config HUB.yaml")
        }
    }

    func run() throws {
        let path = try journal ?? HubConfig.load(path: config ?? "").settings.journal
        let report = try JournalInspector(path: path).verify()
        if let problem = report.problem {
            Output.line(
                "journal NOT intact: \(problem) (the \(report.records) records before it, up to seq \(report.headSeq), chain correctly)")
            throw ExitStatus.failed.exitCode
        }
        Output.line("journal intact: \(report.records) records, head seq \(report.headSeq), chain head \(report.headChain)")
        Output.line("keep the chain head: a later verify ending in the same head at that seq shows nothing was rewritten or cut off")
    }
}
