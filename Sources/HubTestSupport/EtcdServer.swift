import Foundation

/// A one-member etcd for a test's Patroni cluster, on two free loopback ports (clients,
/// peers), its data in `directory`. It runs as the tests' user (etcd does not mind root).
///
/// Debian bookworm's etcd is 3.4: its v3 API and the JSON gateway Patroni's `etcd3:`
/// client uses (`/v3/...`) are on by default; only the v2 API is off (`--enable-v2`),
/// which Patroni's `etcd3:` does not need.
final class EtcdServer: @unchecked Sendable {
    let directory: URL
    let clientPort: Int
    let peerPort: Int
    private let process: Process

    var logPath: String { directory.appendingPathComponent("etcd.log").path }
    /// `127.0.0.1:port` of the client API.
    var endpoint: String { "127.0.0.1:\(clientPort)" }

    /// Starts etcd in `directory` and waits until `/health` says it is healthy.
    init(directory: URL, within limit: Duration) async throws {
        self.directory = directory
        clientPort = try ServerProcesses.freePort()
        peerPort = try ServerProcesses.freePort()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let client = "http://127.0.0.1:\(clientPort)"
        let peer = "http://127.0.0.1:\(peerPort)"
        let arguments = [
            "--name", "etcd0", "--data-dir", directory.appendingPathComponent("data").path,
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "etcd0=\(peer)", "--initial-cluster-state", "new",
            "--initial-cluster-token", "swhub-test-\(UUID().uuidString.prefix(8))",
        ]
        guard let executable = ["/usr/bin/etcd", "/usr/local/bin/etcd"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw PostgresHarnessError(.binariesNotFound, "no etcd (install etcd-server)")
        }
        let process = try ServerProcesses.launch(
            executable, arguments, environment: ServerAccount.environment(home: directory.path), as: nil,
            logPath: directory.appendingPathComponent("etcd.log").path)
        self.process = process
        let port = clientPort
        let log = directory.appendingPathComponent("etcd.log").path
        do {
            try await ServerProcesses.pollUntil(
                limit, "etcd on 127.0.0.1:\(port) not healthy", logTail: { ServerProcesses.tail(log, lines: 30) }
            ) {
                guard process.isRunning else {
                    throw PostgresHarnessError(
                        .startFailed, "etcd exited with status \(process.terminationStatus)", logTail: ServerProcesses.tail(log, lines: 30))
                }
                guard let reply = try? LoopbackHTTP.get(port: port, "/health") else { return false }
                return reply.status == 200 && reply.body.contains("\"health\":\"true\"")
            }
        } catch {
            stop()
            throw error
        }
    }

    /// Stops etcd (SIGTERM; SIGKILL after 30 s) and waits until it has exited.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
