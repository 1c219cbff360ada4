import CZeroMQ

/// The built-in libzmq proxy (`zmq_proxy_steerable`), e.g. ROUTER↔DEALER.
public enum ZMQProxy {
    /// Forwards messages between `frontend` and `backend` until stopped. Blocks the
    /// calling thread, which must own all three sockets.
    ///
    /// A `"TERMINATE"` message on `control` stops it and this method returns normally;
    /// `"PAUSE"` and `"RESUME"` suspend and resume forwarding. Without a control socket
    /// it runs until the context is shut down.
    /// - Parameters:
    ///   - frontend: The socket facing clients.
    ///   - backend: The socket facing workers.
    ///   - control: An optional socket (e.g. PAIR or SUB) receiving commands.
    /// - Throws: ``ZMQError`` with ``ZMQError/isTerminated`` when the context is shut
    ///   down, or any other libzmq failure.
    public static func run(frontend: ZMQSocket, backend: ZMQSocket, control: ZMQSocket?) throws {
        let front = try frontend.handle(for: "zmq_proxy_steerable")
        let back = try backend.handle(for: "zmq_proxy_steerable")
        let steer = try control?.handle(for: "zmq_proxy_steerable")
        try zmqCall("zmq_proxy_steerable") { zmq_proxy_steerable(front, back, nil, steer) }
    }
}
