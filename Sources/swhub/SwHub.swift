import ArgumentParser

/// The one command-line tool of SingleWindowHub.
@main
struct SwHub: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swhub",
        abstract: "SingleWindowHub: the message-bus hub of the cross-border e-commerce single window.",
        subcommands: [
            Serve.self, KeyGen.self, Demo.self, Submit.self, Listen.self, Replay.self, Status.self, Stats.self, Trace.self, Verify.self, ConfigCommand.self, Adapter.self, Bench.self, Tap.self,
            ProxyCommand.self,
        ]
    )
}
