import CZeroMQ

extension ZMQSocket {
    /// Sets an integer option (`zmq_setsockopt`).
    /// - Parameters:
    ///   - option: A `ZMQ_*` option constant.
    ///   - value: The value.
    public func setOption(_ option: Int32, _ value: Int32) throws {
        let handle = try handle(for: "zmq_setsockopt")
        var value = value
        try zmqCall("zmq_setsockopt") {
            zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size)
        }
    }

    /// Sets a binary option (`zmq_setsockopt`).
    /// - Parameters:
    ///   - option: A `ZMQ_*` option constant.
    ///   - bytes: The value; may be empty.
    public func setOption(_ option: Int32, bytes: [UInt8]) throws {
        let handle = try handle(for: "zmq_setsockopt")
        _ = try bytes.withUnsafeBytes { buffer throws(ZMQError) in
            try zmqCall("zmq_setsockopt") { zmq_setsockopt(handle, option, buffer.baseAddress, buffer.count) }
        }
    }

    /// Sets a string option from its UTF-8 bytes, without a terminating NUL.
    /// - Parameters:
    ///   - option: A `ZMQ_*` option constant.
    ///   - string: The value.
    public func setOption(_ option: Int32, string: String) throws {
        try setOption(option, bytes: Array(string.utf8))
    }

    /// Reads an integer option (`zmq_getsockopt`).
    /// - Parameters:
    ///   - option: A `ZMQ_*` option constant whose value is an `int`.
    public func getOptionInt32(_ option: Int32) throws -> Int32 {
        let handle = try handle(for: "zmq_getsockopt")
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        try zmqCall("zmq_getsockopt") { zmq_getsockopt(handle, option, &value, &size) }
        return value
    }

    /// How long unsent messages are kept after close (`ZMQ_LINGER`); `-1` is forever.
    /// - Parameters:
    ///   - ms: Milliseconds.
    public func linger(ms: Int32) throws { try setOption(ZMQ_LINGER, ms) }

    /// The outbound queue limit in messages per peer (`ZMQ_SNDHWM`); `0` is no limit.
    /// - Parameters:
    ///   - messages: The limit.
    public func sendHighWaterMark(_ messages: Int32) throws { try setOption(ZMQ_SNDHWM, messages) }

    /// The inbound queue limit in messages per peer (`ZMQ_RCVHWM`); `0` is no limit.
    /// - Parameters:
    ///   - messages: The limit.
    public func receiveHighWaterMark(_ messages: Int32) throws { try setOption(ZMQ_RCVHWM, messages) }

    /// Makes a ROUTER fail with `EHOSTUNREACH` on unknown routing ids instead of
    /// dropping the message (`ZMQ_ROUTER_MANDATORY`).
    /// - Parameters:
    ///   - on: Whether to report unroutable messages.
    public func routerMandatory(_ on: Bool) throws { try setOption(ZMQ_ROUTER_MANDATORY, on ? 1 : 0) }

    /// The receive timeout (`ZMQ_RCVTIMEO`); after it, receives return `nil`. `-1` is forever.
    /// - Parameters:
    ///   - ms: Milliseconds.
    public func receiveTimeout(ms: Int32) throws { try setOption(ZMQ_RCVTIMEO, ms) }

    /// The send timeout (`ZMQ_SNDTIMEO`); after it, sends return `false`. `-1` is forever.
    /// - Parameters:
    ///   - ms: Milliseconds.
    public func sendTimeout(ms: Int32) throws { try setOption(ZMQ_SNDTIMEO, ms) }

    /// The routing id this socket presents to ROUTER peers (`ZMQ_ROUTING_ID`), set
    /// before connecting.
    /// - Parameters:
    ///   - bytes: 1 to 255 bytes, not starting with a zero byte.
    public func routingId(_ bytes: [UInt8]) throws { try setOption(ZMQ_ROUTING_ID, bytes: bytes) }

    /// The ZAP domain used to authenticate peers (`ZMQ_ZAP_DOMAIN`).
    /// - Parameters:
    ///   - domain: The domain name passed to the ZAP handler.
    public func zapDomain(_ domain: String) throws { try setOption(ZMQ_ZAP_DOMAIN, string: domain) }

    /// Queue messages only to completed connections (`ZMQ_IMMEDIATE`).
    /// - Parameters:
    ///   - on: Whether to wait for completed connections.
    public func immediate(_ on: Bool) throws { try setOption(ZMQ_IMMEDIATE, on ? 1 : 0) }

    /// Subscribes a SUB socket to a topic prefix (`ZMQ_SUBSCRIBE`); empty means all.
    /// - Parameters:
    ///   - prefix: The topic prefix.
    public func subscribe(_ prefix: [UInt8]) throws { try setOption(ZMQ_SUBSCRIBE, bytes: prefix) }

    /// Configures ZMTP heartbeats (`ZMQ_HEARTBEAT_IVL`, `_TIMEOUT`, `_TTL`).
    /// - Parameters:
    ///   - intervalMs: How often to send a PING; `0` disables heartbeats.
    ///   - timeoutMs: How long to wait for traffic after a PING before dropping the peer.
    ///   - ttlMs: The time-to-live announced to the peer (rounded to tenths of a second).
    public func heartbeat(intervalMs: Int32, timeoutMs: Int32, ttlMs: Int32) throws {
        try setOption(ZMQ_HEARTBEAT_IVL, intervalMs)
        try setOption(ZMQ_HEARTBEAT_TIMEOUT, timeoutMs)
        try setOption(ZMQ_HEARTBEAT_TTL, ttlMs)
    }

    /// Makes this socket a CURVE server (`ZMQ_CURVE_SERVER`, `ZMQ_CURVE_SECRETKEY`).
    /// Set before binding. Clients are authenticated through ZAP when a handler is bound
    /// to `inproc://zeromq.zap.01` in the context.
    /// - Parameters:
    ///   - secretKey: The server's secret key, 40 Z85 characters.
    public func makeCurveServer(secretKey: String) throws {
        try setOption(ZMQ_CURVE_SERVER, 1)
        try setOption(ZMQ_CURVE_SECRETKEY, string: secretKey)
    }

    /// Makes this socket a CURVE client (`ZMQ_CURVE_SERVERKEY`, `_PUBLICKEY`,
    /// `_SECRETKEY`). Set before connecting.
    /// - Parameters:
    ///   - keyPair: The client's own key pair.
    ///   - serverPublicKey: The server's public key, 40 Z85 characters.
    public func makeCurveClient(keyPair: CurveKeyPair, serverPublicKey: String) throws {
        try setOption(ZMQ_CURVE_SERVERKEY, string: serverPublicKey)
        try setOption(ZMQ_CURVE_PUBLICKEY, string: keyPair.publicKey)
        try setOption(ZMQ_CURVE_SECRETKEY, string: keyPair.secretKey)
    }
}
