import ArgumentParser
import Foundation
import HubClient
import Logging

/// `swhub listen`: receives deliveries for the configured party, prints and acknowledges them.
struct Listen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Receive, print and acknowledge deliveries.")

    @Option(
        help: "Client config file (see Deploy/client-customs.yaml); hub_endpoints: [A, B] lists a hub cluster's nodes, failed over in turn."
    )
    var config: String

    @Option(help: "Stop after this many deliveries (default: run until interrupted).")
    var count: Int?

    @Flag(help: "Print one JSON object per delivery.")
    var json = false

    @OptionGroup var log: LogOptions

    func run() async throws {
        let logger = log.bootstrap(label: "swhub.listen")
        var clientConfig = try HubClientConfiguration.load(path: config)
        clientConfig.receive = true
        let client = try HubClient(configuration: clientConfig, logger: logger)
        defer { client.close() }
        let welcome = try await client.connect()
        if !json {
            Output.line("listening as \(welcome.party), resuming after seq \(welcome.ackedSeq)")
        }
        var received = 0
        for await delivery in client.deliveries {
            Output.line(render(delivery))
            client.acknowledge(delivery.seq)
            received += 1
            if let count, received >= count { return }
        }
        // The deliveries end before the count only when the client stopped: say why (a
        // revoked key exits 78).
        if let failure = client.failure { throw failure }
    }

    private func render(_ delivery: Delivery) -> String {
        let header = delivery.header
        let text = String(validating: delivery.body, as: UTF8.self)
        if json {
            var object: [String: Any] = [
                "seq": header.seq, "id": header.id, "type": header.type, "sender": header.sender,
                "correlation_id": header.correlationID, "journaled_at_us": header.journaledAtUs,
                "body_bytes": delivery.body.count,
            ]
            if let text { object["body"] = text } else { object["body_base64"] = Data(delivery.body).base64EncodedString() }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
        let shown = text.map { $0.count > 200 ? String($0.prefix(200)) + "…" : $0 } ?? "<\(delivery.body.count) bytes>"
        return "seq=\(header.seq) type=\(header.type) from=\(header.sender) id=\(header.id) body=\(shown)"
    }
}
