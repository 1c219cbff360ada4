import Foundation
import ZeroMQ

/// Runs a body on its own thread (ZeroMQ sockets block; keep them off the test's
/// cooperative threads) and lets the test wait for it with a timeout.
final class BackgroundThread: Sendable {
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) {
        let done = self.done
        let thread = Thread {
            body()
            done.signal()
        }
        thread.start()
    }

    /// Whether the body finished within `seconds`.
    func join(timeoutSeconds seconds: Double) -> Bool {
        done.wait(timeout: .now() + seconds) == .success
    }
}

/// A value shared between a test and its background thread, guarded by a lock.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: Value

    init(_ value: Value) { storage = value }

    var value: Value {
        get { lock.withLock { storage } }
        set { lock.withLock { storage = newValue } }
    }

    func mutate(_ body: (inout Value) -> Void) {
        lock.withLock { body(&storage) }
    }
}

/// A socket with linger 0 (so contexts never wait at teardown) and a receive timeout
/// (so no test can hang on a receive).
func makeSocket(
    _ context: ZMQContext,
    _ type: SocketType,
    receiveTimeoutMs: Int32 = 2000
) throws -> ZMQSocket {
    let socket = try ZMQSocket(context: context, type: type)
    try socket.linger(ms: 0)
    try socket.receiveTimeout(ms: receiveTimeoutMs)
    try socket.sendTimeout(ms: 2000)
    return socket
}

/// Binds to a free loopback TCP port and returns the resolved endpoint.
func bindLoopback(_ socket: ZMQSocket) throws -> String {
    try socket.bind("tcp://127.0.0.1:*")
    return try socket.lastEndpoint()
}

extension String {
    var utf8Bytes: [UInt8] { Array(utf8) }
}
