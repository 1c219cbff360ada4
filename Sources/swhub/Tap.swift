import ArgumentParser
import Foundation
import HubClient
import Logging

/// `swhub tap`: prints the live copies the hub's monitoring tap publishes for the configured
/// party (its own deliveries, and as an auditor those of the parties it audits), one line
/// per message.
struct Tap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print live traffic from the hub's monitoring tap, one line per message.")

    @Option(help: "Client config file with tap_endpoint and tap_public_key_file (see Deploy/client-customs.yaml).")
    var config: String

    @Option(help: "Topic filter after '<party>/': type/sender/recipient, e.g. 'ceb.Order/' or 'ceb.Order/enterprise/'.")
    var filter: String = ""

    @Flag(help: "Print one JSON object per message.")
    var json = false

    @Option(help: "Stop after this many messages (default: run until interrupted).")
    var count: Int?

    @OptionGroup var log: LogOptions

    func run() async throws {
        let logger = log.bootstrap(label: "swhub.tap")
        guard count.map({ $0 > 0 }) ?? true else { throw ValidationError("--count must be at least 1") }
        let clientConfig = try HubClientConfiguration.load(path: config)
        let party: String
        if let configured = clientConfig.party {
            party = configured
        } else {
            // The config does not say which party the key is: ask the hub.
            let client = try HubClient(configuration: clientConfig, logger: logger)
            defer { client.close() }
            party = try await client.connect().party
        }
        let tap = try HubTap(configuration: clientConfig, party: party)
        defer { tap.close() }
        try tap.subscribe(filter)
        if !json {
            Output.line("tapping \(clientConfig.tapEndpoint ?? "") as \(party), topics '\(party)/\(filter)'")
        }
        var received = 0
        var lastDropped: UInt64?
        while count.map({ received < $0 }) ?? true {
            guard let message = try tap.next(timeout: .seconds(1)) else { continue }
            if !json, let last = lastDropped, message.dropped > last {
                Output.line(
                    "! \(message.dropped - last) copies dropped before seq \(message.header.seq) (this subscriber was too slow; \(message.dropped) in all)"
                )
            }
            lastDropped = message.dropped
            Output.line(json ? Self.jsonLine(message) : Self.textLine(message))
            received += 1
        }
    }

    /// `2026-01-02T03:04:05.678Z seq=12 ceb.Order enterprise → customs id=… body=345 B`.
    static func textLine(_ message: TapMessage) -> String {
        let header = message.header
        return
            "\(timestamp(header.journaledAtUs)) seq=\(header.seq) \(header.type) \(header.sender) → \(message.recipient) id=\(header.id) body=\(message.body.count) B"
    }

    static func jsonLine(_ message: TapMessage) -> String {
        let header = message.header
        let object: [String: Any] = [
            "topic": message.topic, "time": timestamp(header.journaledAtUs), "seq": header.seq, "type": header.type,
            "sender": header.sender, "recipient": message.recipient, "id": header.id,
            "correlation_id": header.correlationID, "journaled_at_us": header.journaledAtUs,
            "created_at_us": header.createdAtUs, "dropped": message.dropped, "body_bytes": message.body.count,
            "body_base64": Data(message.body).base64EncodedString(),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// UTC, milliseconds, ISO 8601.
    static func timestamp(_ microseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
        return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
