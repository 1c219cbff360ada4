import Foundation

/// A NATS server with JetStream for `swhub bench --peer nats` (issue 18): Debian's
/// `nats-server` as a child process of the bench, listening on a free loopback port, with
/// JetStream's file storage in `directory/store` and, with `tls`, TLS required of every
/// client (the server's certificate and key from ``BenchNatsTLS``). JetStream keeps its
/// defaults: it acknowledges a publish once the message is written to its files, not
/// synced; the files are synced every 2 minutes (nats-server 2.9 has no setting for a sync
/// on each write).
final class BenchNatsServer {
    /// The URL a client connects to: `tls://127.0.0.1:PORT` or `nats://127.0.0.1:PORT`.
    let url: String
    /// The TLS material when TLS is on: clients verify the server against its CA.
    let tls: BenchNatsTLS?
    let directory: URL
    private let process: BenchProcess

    /// Writes the configuration, starts the server and waits until it accepts connections.
    init(executable: URL, directory: URL, tls: BenchNatsTLS?) throws {
        self.directory = directory
        self.tls = tls
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try BenchProcess.freePort()
        var config = """
            listen: "127.0.0.1:\(port)"
            server_name: "swhub_bench_\(tls == nil ? "plain" : "tls")"
            jetstream {
              store_dir: "\(directory.appendingPathComponent("store").path)"
            }

            """
        if let tls {
            config += """
                tls {
                  cert_file: "\(tls.serverCertificate.path)"
                  key_file: "\(tls.serverKey.path)"
                }

                """
        }
        let configFile = directory.appendingPathComponent("nats-server.conf")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        process = try BenchProcess(
            executable: executable, arguments: ["-c", configFile.path], log: directory.appendingPathComponent("nats-server.log"))
        do {
            try process.waitForPort(port)
        } catch {
            process.stop()
            throw BenchError("nats-server did not start (\(error)); see \(directory.appendingPathComponent("nats-server.log").path)")
        }
        url = "\(tls == nil ? "nats" : "tls")://127.0.0.1:\(port)"
    }

    /// The server's peak resident set size so far, MiB.
    var peakRSSMegabytes: Double? { process.peakRSSMegabytes }

    /// SIGTERM and wait.
    func stop() {
        process.stop()
    }
}

/// Throwaway TLS material made at run time with Debian's `openssl` command: a self-signed
/// CA and a server certificate it signs for `localhost` and `127.0.0.1` (ECDSA P-256,
/// valid one day). The bench's NATS client trusts only that CA and checks the name.
struct BenchNatsTLS: Sendable {
    /// The name in the server certificate that clients expect.
    static let hostname = "localhost"

    let caCertificate: URL
    let serverCertificate: URL
    let serverKey: URL

    /// Makes the CA and the server certificate in `directory` with `openssl` at `openssl`.
    init(openssl: URL, directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func file(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let extensions = """
            subjectAltName = DNS:\(Self.hostname), IP:127.0.0.1
            basicConstraints = CA:FALSE
            keyUsage = digitalSignature
            extendedKeyUsage = serverAuth

            """
        try extensions.write(toFile: file("server.ext"), atomically: true, encoding: .utf8)
        for arguments in [
            ["req", "-x509"] + curve + ["-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "1", "-subj", "/CN=swhub bench CA"],
            ["req"] + curve + ["-keyout", file("server.key"), "-out", file("server.csr"), "-subj", "/CN=\(Self.hostname)"],
            [
                "x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial",
                "-out", file("server.pem"), "-days", "1", "-extfile", file("server.ext"),
            ],
        ] {
            let result = try BenchTool.run(openssl, arguments)
            guard result.status == 0 else {
                throw BenchError("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(result.errorOutput)")
            }
        }
        caCertificate = directory.appendingPathComponent("ca.pem")
        serverCertificate = directory.appendingPathComponent("server.pem")
        serverKey = directory.appendingPathComponent("server.key")
    }
}
