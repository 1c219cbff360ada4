import Foundation
import HubThreads
import Testing

/// `swhub config check` and `swhub serve` against configs with mistakes: the real binary,
/// real files, a real port in use. A mistake is refused before anything is opened, with
/// its place; a valid config is printed resolved, its secrets masked.
@Suite("swhub config check and serve's start-up checks")
struct ConfigCheckTests {
    /// Runs swhub to its end; returns its status, standard output and standard error.
    static func swhub(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try programOutput(try TestHub.executable, arguments)
    }

    /// `swhub(arguments)` on a thread of its own: waiting for a process must not hold one of
    /// the test host's few cooperative threads (other tests' tasks would starve).
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        try await onThread { try swhub(arguments) }
    }

    /// A hub config in a fresh directory, keys made; `edit` changes its text before writing.
    static func hubConfig(port: Int, edit: (String) -> String = { $0 }) async throws -> (directory: URL, path: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["hub", "enterprise"] {
            let keys = try await run(["keygen", "--out", directory.path, "--name", name])
            #expect(keys.status == 0, "\(keys.errors)")
        }
        let yaml = """
            hub:
              endpoint: tcp://127.0.0.1:\(port)
              key_file: hub.key_secret
              journal: var/journal.sqlite
            types: [{name: reg.Registration, message: swhub.v1.Registration}]
            parties:
              - id: enterprise
                key_file: enterprise.key
                hide: {reg.Registration: [contact.telephone]}

            """
        let path = directory.appendingPathComponent("hub.yaml").path
        try edit(yaml).write(toFile: path, atomically: true, encoding: .utf8)
        return (directory, path)
    }

    @Test func aValidConfigIsPrintedResolvedWithoutSecrets() async throws {
        let (directory, path) = try await Self.hubConfig(port: try TestHub.freePort())
        let check = try await Self.run(["config", "check", path, "--json"])
        #expect(check.status == 0, "\(check.errors)")
        let resolved = try JSONSerialization.jsonObject(with: Data(check.output.utf8)) as? [String: Any]
        let hub = try #require(resolved?["hub"] as? [String: Any], "\(check.output)")
        #expect(hub["journal"] as? String == directory.appendingPathComponent("var/journal.sqlite").path)
        #expect(hub["heartbeat_ms"] as? Int == 2000, "defaults filled in")
        let secret = try String(contentsOf: directory.appendingPathComponent("hub.key_secret"), encoding: .utf8)
        let secretKey = try #require(
            secret.split(separator: "\n").first { $0.hasPrefix("secret_key") }?.split(separator: "\"").dropFirst().first)
        #expect(!check.output.contains(secretKey), "a secret key was printed")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("var").path), "check opened the journal")
    }

    /// A misspelt `hide` would share what it meant to hide: both `config check` and `serve`
    /// refuse it, naming the key, its place and the key meant, and serve opens nothing.
    @Test func aMisspeltHideIsRefusedAtStartUpNamingTheKey() async throws {
        let (directory, path) = try await Self.hubConfig(port: try TestHub.freePort()) {
            $0.replacingOccurrences(of: "    hide:", with: "    hidden:")
        }
        let expected = "parties[0].hidden (line 9, column 5): unknown key; did you mean 'hide'?"
        let check = try await Self.run(["config", "check", path])
        #expect(check.status != 0)
        #expect(check.errors.contains(expected), "\(check.errors)")
        let serve = try await Self.run(["serve", "--config", path])
        #expect(serve.status != 0)
        #expect(serve.errors.contains(expected), "\(serve.errors)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("var").path), "serve opened the journal")
    }

    @Test func anEndpointInUseIsNamedBeforeTheJournalIsOpened() async throws {
        let busy = try ListeningSocket()
        let (directory, path) = try await Self.hubConfig(port: busy.port)
        for arguments in [["config", "check", path], ["serve", "--config", path]] {
            let run = try await Self.run(arguments)
            #expect(run.status != 0)
            #expect(
                run.errors.contains("hub.endpoint tcp://127.0.0.1:\(busy.port) cannot be bound: Address already in use"), "\(run.errors)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("var").path), "serve opened the journal")
    }

    @Test func everyProblemIsListedAtOnce() async throws {
        let busy = try ListeningSocket()
        let (_, path) = try await Self.hubConfig(port: busy.port) {
            // A folder that is a file (root may write anywhere, so not a permission).
            $0.replacingOccurrences(of: "journal: var/journal.sqlite", with: "journal: hub.yaml/journal.sqlite")
        }
        let check = try await Self.run(["config", "check", path])
        #expect(check.status != 0)
        #expect(check.errors.contains("cannot be bound"), "\(check.errors)")
        #expect(check.errors.contains("hub.yaml/journal.sqlite") && check.errors.contains("is not a folder"), "\(check.errors)")
    }
}

/// A TCP socket listening on a free loopback port, closed on deinit.
final class ListeningSocket {
    let fd: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 1) == 0 else {
            close(descriptor)
            throw TestHubError("cannot listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        fd = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}
