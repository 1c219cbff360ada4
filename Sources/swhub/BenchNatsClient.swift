import Foundation
import HubThreads

/// The NATS JetStream client of `swhub bench --peer nats`: `Scripts/nats-peer/nats-peer.c`,
/// built by the bench with `cc` against Debian's libnats (libnats-dev) and run once per case
/// as a child process. It mirrors the hub's `route_1to1`: one sender publishing
/// asynchronously with at most 2,000 publishes unacknowledged and waiting for every publish
/// ack, one recipient on its own connection fetching from a durable pull consumer and
/// acknowledging each message (explicit ack), timed from the first publish until the sender
/// has every ack and the recipient every message.
struct BenchNatsClient: Sendable {
    /// The source, from the repository checkout the bench runs from.
    static let sourcePath = "Scripts/nats-peer/nats-peer.c"

    /// The built client.
    let executable: URL

    /// What one run measured.
    struct Result: Sendable {
        var seconds: Double
        var messagesPerSecond: Double
    }

    /// Builds the client into `directory` with `cc`.
    static func build(compiler: URL, source: URL, directory: URL) throws -> BenchNatsClient {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let executable = directory.appendingPathComponent("nats-peer")
        let result = try BenchTool.run(compiler, ["-O2", "-Wall", "-o", executable.path, source.path, "-lnats", "-lpthread"])
        guard result.status == 0 else {
            throw BenchError("building \(source.path) failed (Debian package libnats-dev installed?):\n\(result.errorOutput)")
        }
        return BenchNatsClient(executable: executable)
    }

    /// Finds ``sourcePath`` above this executable's directory (`.build/release/swhub` in
    /// the checkout) or above the current directory.
    static func findSource() throws -> URL {
        let starts = [
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent(),
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        ]
        for start in starts {
            var directory = start.standardizedFileURL
            while true {
                let candidate = directory.appendingPathComponent(sourcePath)
                if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        throw BenchError(
            "\(sourcePath) not found above \(starts.map(\.path).joined(separator: " or ")): run swhub bench --peer nats from its checkout")
    }

    /// The most messages the recipient fetches per pull request, for a publisher window of `window`.
    static func fetchBatch(window: Int) -> Int { 2 * window }

    /// The consumer's `MaxAckPending`, for a publisher window of `window`: ten fetches.
    static func ackPending(window: Int) -> Int { 10 * fetchBatch(window: window) }

    /// Runs one case against `server`: `count` messages of `size` bytes through stream
    /// `stream` (created by the client, deleted after the timing); with `messageIds`, each
    /// with a `Nats-Msg-Id` that JetStream deduplicates by, none of them a repeat.
    ///
    /// The publisher keeps at most `window` publishes unacknowledged; the recipient fetches
    /// up to twice that per pull request, with ten times as many unacknowledged allowed
    /// (`MaxAckPending`): the fastest of the settings measured (BENCHMARKS.md, "The NATS
    /// client's recipient tuned"), so that the peer is not held back by its client.
    func run(server: BenchNatsServer, stream: String, size: Int, count: Int, window: Int, messageIds: Bool = false) throws -> Result {
        var arguments = [
            "--url", server.url, "--name", stream, "--count", String(count), "--size", String(size), "--window", String(window),
            "--batch", String(Self.fetchBatch(window: window)), "--ack-pending", String(Self.ackPending(window: window)),
        ]
        if messageIds { arguments += ["--msg-id", "\(stream)-"] }
        if let tls = server.tls {
            arguments += ["--ca", tls.caCertificate.path, "--hostname", BenchNatsTLS.hostname]
        }
        let result = try BenchTool.run(executable, arguments)
        guard result.status == 0 else {
            throw BenchError("nats-peer \(stream) failed (status \(result.status)):\n\(result.errorOutput)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
            let seconds = (object["seconds"] as? NSNumber)?.doubleValue, seconds > 0,
            (object["received"] as? NSNumber)?.intValue == count, (object["publish_acks"] as? NSNumber)?.intValue == count,
            (object["duplicates"] as? NSNumber)?.intValue == 0,
            // The settings it ran with are the ones asked for (a client built from other
            // source would not be measuring the same thing).
            (object["window"] as? NSNumber)?.intValue == window,
            (object["batch"] as? NSNumber)?.intValue == Self.fetchBatch(window: window),
            (object["ack_pending"] as? NSNumber)?.intValue == Self.ackPending(window: window)
        else {
            throw BenchError("nats-peer \(stream): unexpected output: \(result.output)")
        }
        return Result(seconds: seconds, messagesPerSecond: Double(count) / seconds)
    }
}

/// A program the bench runs to its end (openssl, cc, the NATS client, nats-server
/// --version), its standard output and error collected.
enum BenchTool {
    struct Outcome: Sendable {
        var status: Int32
        var output: String
        var errorOutput: String
    }

    /// Runs `executable` with `arguments` and waits for it. Standard error goes through a
    /// temporary file, so neither pipe can fill up while the other is read.
    static func run(_ executable: URL, _ arguments: [String]) throws -> Outcome {
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-bench-tool-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let pipe = ProcessLaunch.pipe()
        process.standardOutput = pipe
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardInput = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return Outcome(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            errorOutput: errors.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `name` in `PATH` or in /usr/sbin, /usr/bin, /sbin (Debian puts nats-server in /usr/sbin).
    static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin", "/sbin"]
        for directory in directories where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}
