import ArgumentParser
import ZeroMQ

/// `swhub proxy`: libzmq's own `zmq_proxy`, the baseline `swhub bench` measures the hub
/// against. Runs in its own process, like the hub, with CURVE on both sides like the hub.
struct ProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy", abstract: "Internal: run zmq_proxy as the baseline of `swhub bench`.", shouldDisplay: false)

    @Option(help: "router-dealer (request/reply forwarding) or xsub-xpub (fan-out).")
    var kind: String = "router-dealer"

    @Option(help: "Frontend endpoint (senders connect here).")
    var frontend: String

    @Option(help: "Backend endpoint (receivers connect here).")
    var backend: String

    @Option(help: "Z85 CURVE secret key of the proxy (none: plain TCP, for the reference figure).")
    var secretKey: String?

    func run() throws {
        let context = try ZMQContext(ioThreads: 1)
        let fanOut = kind == "xsub-xpub"
        let front = try ZMQSocket(context: context, type: fanOut ? .xsub : .router)
        let back = try ZMQSocket(context: context, type: fanOut ? .xpub : .dealer)
        for socket in [front, back] {
            if let secretKey { try socket.makeCurveServer(secretKey: secretKey) }
            try socket.linger(ms: 0)
            // Unbounded queues: the baseline must not drop what the bench counts.
            try socket.sendHighWaterMark(0)
            try socket.receiveHighWaterMark(0)
        }
        try front.bind(frontend)
        try back.bind(backend)
        try ZMQProxy.run(frontend: front, backend: back, control: nil)
    }
}
