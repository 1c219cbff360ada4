import Foundation

/// A plain HTTP/1.1 GET over a loopback TCP socket (`Connection: close`): how the harness
/// asks etcd (`/health`) and Patroni (`/cluster`) for their state, how `swhub bench` reads
/// a hub's `/metrics`, and how the monitor tests read a running `swhub`.
public struct LoopbackHTTP: Sendable {
    /// The status code.
    public var status: Int
    /// The body: `Content-Length` bytes when the reply says how many, else everything up
    /// to the end of the connection.
    public var body: String
    /// Response headers by lower-cased name (the last one of a repeated name).
    public var headers: [String: String]

    /// GETs `path` from 127.0.0.1:`port` with the `headers` given. Throws
    /// ``PostgresHarnessError`` `httpFailed` when nothing listens, on a timeout (10 s per
    /// read) or when the reply is not HTTP.
    public static func get(port: Int, _ path: String, headers extra: [String: String] = [:]) throws -> LoopbackHTTP {
        func failed(_ why: String) -> PostgresHarnessError { PostgresHarnessError(.httpFailed, why) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failed("socket() failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw failed("nothing listens on 127.0.0.1:\(port)") }
        let lines = extra.map { "\($0.key): \($0.value)\r\n" }.joined()
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\(lines)\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            throw failed("sending to 127.0.0.1:\(port) failed")
        }
        // A server may keep the connection open after a reply with a Content-Length (the
        // monitor does): read until that many body bytes are there, or the connection ends.
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while parse(response) == nil {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 { throw failed("reading from 127.0.0.1:\(port)\(path) failed or timed out") }
            if count == 0 { break }
            response += chunk[0..<count]
        }
        guard let reply = parse(response) ?? parse(response, ended: true) else {
            throw failed("not an HTTP response from 127.0.0.1:\(port)\(path): \(String(decoding: response.prefix(200), as: UTF8.self))")
        }
        return reply
    }

    /// The reply in `response` once it is whole: its `Content-Length` bytes are there, or,
    /// when the connection `ended`, whatever follows the headers. Nil before that.
    private static func parse(_ response: [UInt8], ended: Bool = false) -> LoopbackHTTP? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, response.count - 3)).first(where: { response[$0..<$0 + 4].elementsEqual(separator) }) else {
            return nil
        }
        let head = String(decoding: response[0..<end], as: UTF8.self)
        guard head.hasPrefix("HTTP/1."), let status = Int(head.dropFirst(9).prefix(3)) else { return nil }
        var headers: [String: String] = [:]
        for line in head.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = response[(end + 4)...]
        if let length = headers["content-length"].flatMap({ Int($0) }), body.count >= length {
            return LoopbackHTTP(status: status, body: String(decoding: body.prefix(length), as: UTF8.self), headers: headers)
        }
        return ended ? LoopbackHTTP(status: status, body: String(decoding: body, as: UTF8.self), headers: headers) : nil
    }
}
