import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Whether a TCP address can be bound now: binds a socket (with SO_REUSEADDR, as libzmq
/// and NIO do for listeners) to each address `host` resolves to, and closes it again.
enum PortProbe {
    /// nil if `host:port` can be bound, else why not ("Address already in use", ...).
    static func bindFailure(host: String, port: UInt16) -> String? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return "the host '\(host)' cannot be resolved (\(String(cString: gai_strerror(status))))"
        }
        defer { freeaddrinfo(list) }
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            if fd >= 0 {
                var one: Int32 = 1
                _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
                let bound = bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
                let error = errno
                close(fd)
                if bound != 0 { return String(cString: strerror(error)) }
            }
            cursor = info.pointee.ai_next
        }
        return nil
    }
}
