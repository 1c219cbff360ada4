import Foundation

/// The hub's group commits over a span of a bench, from its own metric
/// `swhub_journal_commit_seconds` (read from each node's `/metrics`).
struct BenchCommits {
    /// Group commits.
    var count: Double
    /// Seconds spent in them.
    var seconds: Double

    static func - (after: BenchCommits, before: BenchCommits) -> BenchCommits {
        BenchCommits(count: after.count - before.count, seconds: after.seconds - before.seconds)
    }

    /// "N commits, M msgs per commit, mean X ms" for `messages` journaled in the span.
    func describe(messages: Int) -> String {
        guard count > 0 else { return "no commits recorded" }
        return String(
            format: "%.0f group commits, %.1f msgs per commit, mean commit %.2f ms (%.1f µs per message)", count,
            Double(messages) / count, seconds / count * 1000, seconds / Double(messages) * 1e6)
    }

    /// The totals in a Prometheus text exposition, nil if the metric is not there.
    static func parse(_ text: String) -> BenchCommits? {
        var count: Double?
        var seconds: Double?
        for line in text.split(separator: "\n") where line.hasPrefix("swhub_journal_commit_seconds_") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let value = Double(parts[1]) else { continue }
            if parts[0].hasPrefix("swhub_journal_commit_seconds_count") { count = value }
            if parts[0].hasPrefix("swhub_journal_commit_seconds_sum") { seconds = value }
        }
        guard let count, let seconds else { return nil }
        return BenchCommits(count: count, seconds: seconds)
    }
}

extension BenchSetup {
    /// The commits of every running node with `/metrics` so far, summed; nil when no node
    /// serves its metrics.
    func commits() -> BenchCommits? {
        var total: BenchCommits?
        for node in nodes where node.process != nil {
            guard let port = node.metricsPort, let text = try? Self.httpGet(port: port, "/metrics"), let commits = BenchCommits.parse(text)
            else { continue }
            total = BenchCommits(count: (total?.count ?? 0) + commits.count, seconds: (total?.seconds ?? 0) + commits.seconds)
        }
        return total
    }

    /// Runs `body` and returns its result with the commits the nodes made meanwhile (nil
    /// without metrics).
    func measuringCommits<T>(_ body: () throws -> T) rethrows -> (T, BenchCommits?) {
        let before = commits()
        let result = try body()
        guard let before, let after = commits() else { return (result, nil) }
        return (result, after - before)
    }

    /// An HTTP/1.0 GET from 127.0.0.1:`port`, read to the end; the body.
    static func httpGet(port: Int, _ path: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket() failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw BenchError("nothing listens on 127.0.0.1:\(port)") }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            throw BenchError("sending to 127.0.0.1:\(port) failed")
        }
        // The monitor answers HTTP/1.1 with a Content-Length and may keep the connection
        // open: read until the body is whole (or the connection ends).
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count >= 0 else { throw BenchError("reading 127.0.0.1:\(port)\(path) failed") }
            if count == 0 { break }
            response += chunk[0..<count]
            if let body = Self.wholeBody(response) { return body }
        }
        guard let body = Self.wholeBody(response, ended: true) else {
            throw BenchError("not an HTTP response from 127.0.0.1:\(port)\(path)")
        }
        return body
    }

    /// The body of an HTTP response once its `Content-Length` bytes are there (or, when the
    /// connection `ended`, whatever follows the headers).
    private static func wholeBody(_ response: [UInt8], ended: Bool = false) -> String? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, response.count - 3)).first(where: { Array(response[$0..<$0 + 4]) == separator }) else { return nil }
        let headers = String(decoding: response[0..<end], as: UTF8.self).lowercased()
        let body = response[(end + 4)...]
        let length = headers.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
        if let length, body.count >= length { return String(decoding: body.prefix(length), as: UTF8.self) }
        return ended ? String(decoding: body, as: UTF8.self) : nil
    }
}
