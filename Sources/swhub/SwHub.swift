import ArgumentParser
import Foundation

/// The one command-line tool of SingleWindowHub.
@main
struct SwHub: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swhub",
        abstract: "SingleWindowHub: the message-bus hub of the cross-border e-commerce single window.",
        subcommands: [
            Serve.self, KeyGen.self, Demo.self, Submit.self, Listen.self, Replay.self, Status.self, Stats.self, Trace.self, Verify.self,
            Migrate.self,
            ConfigCommand.self, Adapter.self, Bench.self, Tap.self,
            ProxyCommand.self,
            Archive.self,
            ReloadCommand.self,
            Backup.self, Restore.self,
            FlowsRestartBench.self,
            KeysCommand.self,
            ReportCommand.self,
        ]
    )

    /// Parses and runs the command; a failure with a class (``ExitStatus``) ends the process
    /// with that status and `error: <reason>` on standard error, everything else as
    /// ArgumentParser ends it (64 with the usage text only for a command line that does not
    /// parse).
    static func main() async {
        // A parent that started this process from a thread with signals blocked (Foundation's
        // `Process` run from a Dispatch or Swift-concurrency thread) passes that mask on, and
        // SIGTERM would then never end it (`swhub proxy` and adapters started by `swhub bench`
        // or a test ignored it). Start from an empty mask, as when started from a shell.
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard let status = ExitStatus.of(error) else {
                // A file that cannot be made or read: its path and the reason, not Foundation's dump.
                guard let message = FileErrorText.message(error) else { exit(withError: error) }
                Output.error("error: \(message)")
                Foundation.exit(ExitStatus.failed.rawValue)
            }
            Output.error("error: \(error)")
            Foundation.exit(status.rawValue)
        }
    }
}
