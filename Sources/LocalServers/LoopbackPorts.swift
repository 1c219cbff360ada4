import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Loopback TCP ports for child servers to bind, handed out in turn from a range below the
/// kernel's ephemeral ports (32768 and up on Linux), from a random place in it.
///
/// Asking the kernel for a free port (binding port 0) and handing it to a child to bind
/// later races twice: the kernel may give the same port to the next such call, and it may
/// give it to an outgoing connection (its local port) before the child binds. Both end in
/// "Address already in use". Ports from this range are never handed out twice by one
/// instance (until it wraps around), and no outgoing connection takes them; each is checked
/// to bind (with `SO_REUSEADDR`, as libzmq and NIO bind) before it is handed out, so a port
/// something else holds is skipped.
///
/// An instance made with a `lockDirectory` also reserves each port it hands out for the
/// rest of its process's life, against every other process using that directory: an
/// exclusive `flock` on a file named after the port, held open (close-on-exec) and released
/// by the kernel when the process ends. Processes that run side by side (the `swhub bench`
/// runs the tests start at once) can then share one range. Without it an instance knows
/// only its own process, and processes side by side need ranges of their own (the test
/// process's hubs 20000–31999, the PostgreSQL harness 10000–19999).
public final class LoopbackPorts: Sendable {
    private let range: ClosedRange<Int>
    private let next: Mutex<Int>
    private let lockDirectory: String?

    /// - Parameters:
    ///   - range: The ports to hand out; keep it below 32768.
    ///   - lockDirectory: Where the reservations of every process sharing the range are kept
    ///     (made, writable by all, if missing); nil: no reservation across processes.
    public init(_ range: ClosedRange<Int>, lockDirectory: String? = nil) {
        self.range = range
        self.lockDirectory = lockDirectory
        next = Mutex(Int.random(in: range))
        if let lockDirectory {
            mkdir(lockDirectory, 0o1777)
            chmod(lockDirectory, 0o1777)
        }
    }

    /// The next port of the range that can be bound now (and, with a lock directory, that
    /// no other process reserved), nil when none can.
    public func take() -> Int? {
        for _ in range {
            let port = next.withLock { next -> Int in
                defer { next = next >= range.upperBound ? range.lowerBound : next + 1 }
                return next
            }
            let reservation = reserve(port)
            if case .elsewhere = reservation { continue }
            // A reservation handed out stays open, never closed: the process holds the port
            // until it ends.
            if Self.canBind(port) { return port }
            if case .held(let fd) = reservation { close(fd) }
        }
        return nil
    }

    private enum Reservation {
        /// No lock directory, or one that cannot be used: nothing reserved.
        case unreserved
        /// This descriptor holds the port's lock.
        case held(Int32)
        /// Another process holds it.
        case elsewhere
    }

    private func reserve(_ port: Int) -> Reservation {
        guard let lockDirectory else { return .unreserved }
        let fd = open("\(lockDirectory)/\(port)", O_RDONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return .unreserved }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return .elsewhere
        }
        return .held(fd)
    }

    /// Whether 127.0.0.1:`port` can be bound now.
    public static func canBind(_ port: Int) -> Bool {
        withSocket(port) { fd, address, length in
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            return bind(fd, address, length) == 0
        }
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port` now.
    public static func canConnect(_ port: Int) -> Bool {
        withSocket(port) { fd, address, length in connect(fd, address, length) == 0 }
    }

    /// Calls `body` with a new TCP socket and the address 127.0.0.1:`port`; closes the socket.
    private static func withSocket(
        _ port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Bool
    ) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
