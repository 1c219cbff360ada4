import Foundation
import HubConfigKit
import HubCore
import HubMonitor
import HubTestSupport
import Testing

/// `monitor: {token_file: …}`: every route of a real `swhub serve` monitor wants the token,
/// as a bearer header or as the cookie that `/?token=…` sets.
@Suite("Monitor access token", .serialized, .timeLimit(.minutes(2)))
struct MonitorAccessTests {
    static let token = "0f3c9a7e5b1d4c2a8e6f0b9d7c5a3e1f"

    static func startHub() async throws -> (TestHub, port: Int) {
        let hub = try TestHub(parties: [.init(id: "a"), .init(id: "b", subscribes: ["demo.Note"])])
        try "\(token)\n".write(to: hub.directory.appendingPathComponent("monitor.token"), atomically: true, encoding: .utf8)
        let port = try TestHub.freePort()
        let config = try String(contentsOfFile: hub.configPath, encoding: .utf8)
        try (config + "monitor:\n  listen: \"127.0.0.1:\(port)\"\n  token_file: monitor.token\n")
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        try await hub.start()
        return (hub, port)
    }

    @Test func everyRouteWantsTheToken() async throws {
        let (hub, port) = try await Self.startHub()
        _ = hub
        try await waitUntil(.seconds(20), "the monitor did not answer") { (try? HTTPGet.get(port: port, "/metrics")) != nil }
        for path in ["/", "/metrics", "/api/snapshot", "/api/trace/x", "/events?max=1", "/statistics"] {
            let refused = try HTTPGet.get(port: port, path)
            #expect(refused.status == 401, "\(path) without the token")
            #expect(refused.headers["www-authenticate"] == "Bearer realm=\"swhub monitor\"")
            #expect(refused.body.contains("needs its token"))
            let wrong = try HTTPGet.get(port: port, path, headers: ["Authorization": "Bearer \(Self.token.dropLast())x"])
            #expect(wrong.status == 401, "\(path) with a wrong token")
            let right = try HTTPGet.get(port: port, path, headers: ["Authorization": "Bearer \(Self.token)"])
            #expect(right.status == (path == "/api/trace/x" ? 404 : 200), "\(path) with the token")
        }
        #expect(try HTTPGet.get(port: port, "/metrics", headers: ["Authorization": "Basic \(Self.token)"]).status == 401)
    }

    /// The browser way: `/?token=` once, then the cookie; the token leaves the address.
    @Test func theTokenInTheAddressBecomesACookie() async throws {
        let (hub, port) = try await Self.startHub()
        _ = hub
        try await waitUntil(.seconds(20), "the monitor did not answer") { (try? HTTPGet.get(port: port, "/metrics")) != nil }
        let login = try HTTPGet.get(port: port, "/?events=3&token=\(Self.token)")
        #expect(login.status == 303)
        #expect(login.headers["location"] == "/?events=3")
        let cookie = try #require(login.headers["set-cookie"])
        #expect(cookie.hasPrefix("swhub_monitor=\(Self.token)"))
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        for path in ["/?events=3", "/api/snapshot", "/events?max=1"] {
            #expect(try HTTPGet.get(port: port, path, headers: ["Cookie": "swhub_monitor=\(Self.token)"]).status == 200, "\(path)")
        }
        #expect(try HTTPGet.get(port: port, "/api/snapshot", headers: ["Cookie": "swhub_monitor=stale-token-value"]).status == 401)
        #expect(try HTTPGet.get(port: port, "/?token=wrong-token-0123456789").status == 401)
    }

    @Test func tokenFilesAreChecked() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("t").path
        #expect(throws: ConfigError(.unreadable, "monitor.token_file \(file) cannot be read")) { try MonitorService.loadToken(path: file) }
        for bad in ["short", "has a space in it 0123456789", "semicolon;0123456789abcdef", String(repeating: "a", count: 257)] {
            try bad.write(toFile: file, atomically: true, encoding: .utf8)
            #expect(throws: ConfigError.self, "'\(bad)'") { try MonitorService.loadToken(path: file) }
        }
        try "  \(Self.token)\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try MonitorService.loadToken(path: file) == Self.token)
    }
}
