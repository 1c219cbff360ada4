import Foundation

/// A plain HTTP/1.0 GET over a loopback TCP socket, read to EOF: how the harness asks
/// etcd (`/health`) and Patroni (`/cluster`) for their state.
enum LoopbackHTTP {
    /// GETs `path` from 127.0.0.1:`port`; returns the status and body. Throws when nothing
    /// listens, on a timeout (5 s per read) or when the reply is not HTTP.
    static func get(port: Int, _ path: String) throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PostgresHarnessError(.httpFailed, "socket() failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw PostgresHarnessError(.httpFailed, "nothing listens on 127.0.0.1:\(port)") }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            throw PostgresHarnessError(.httpFailed, "sending to 127.0.0.1:\(port) failed")
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 { throw PostgresHarnessError(.httpFailed, "reading from 127.0.0.1:\(port)\(path) failed or timed out") }
            if count == 0 { break }
            response += chunk[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n"), text.hasPrefix("HTTP/1."), let status = Int(text.dropFirst(9).prefix(3)) else {
            throw PostgresHarnessError(.httpFailed, "not an HTTP response from 127.0.0.1:\(port)\(path): \(text.prefix(200))")
        }
        return (status, String(text[end.upperBound...]))
    }
}
