import ArgumentParser

/// `swhub bench` (filled in below).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmark the hub against libzmq's zmq_proxy in the same run.")
    func run() async throws {}
}

struct ProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "proxy", abstract: "Internal: the zmq_proxy baseline of `swhub bench`.", shouldDisplay: false)
    func run() throws {}
}
