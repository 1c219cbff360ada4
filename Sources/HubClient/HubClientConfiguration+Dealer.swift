import ZeroMQ

extension HubClientConfiguration {
    /// A CURVE DEALER to the hub as this configuration names it (the party's key pair, the
    /// hub's public key, one of `endpoints`), with no receive limit and a monitor on its
    /// connection events, connected: what a client connection and a replay session each open.
    /// - Parameters:
    ///   - endpoint: the hub node to connect to.
    ///   - serverKey: which of `hubPublicKeys` to expect (an index, taken modulo their count).
    ///   - context: the context the socket and its monitor belong to.
    ///   - lingerMs: how long a close may still send what is queued.
    func connectDealer(to endpoint: String, serverKey: Int = 0, context: ZMQContext, lingerMs: Int32) throws -> (
        socket: ZMQSocket, monitor: ZMQSocketMonitor
    ) {
        let socket = try ZMQSocket(context: context, type: .dealer)
        try socket.makeCurveClient(
            keyPair: keyPair, serverPublicKey: hubPublicKeys.isEmpty ? hubPublicKey : hubPublicKeys[serverKey % hubPublicKeys.count])
        try socket.linger(ms: lingerMs)
        try socket.receiveHighWaterMark(0)
        let monitor = try ZMQSocketMonitor(socket: socket, context: context)
        try socket.connect(endpoint)
        return (socket, monitor)
    }
}
