import ArgumentParser
import Foundation
import HubClient
import Logging

/// `swhub submit`: sends one message and prints the hub's reply.
struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Submit one message and print the hub's reply.")

    @Option(help: "Client config file (see Deploy/client-enterprise.yaml).")
    var config: String

    @Option(help: "Message type, as declared in the hub's config.")
    var type: String

    @Option(name: .customLong("to"), help: "Explicit recipient party (repeatable).")
    var recipients: [String] = []

    @Option(help: "Message id (default: a new UUID). The same id twice is journaled once.")
    var id: String = UUID().uuidString

    @Option(help: "Id of the message this one relates to.")
    var correlationId: String = ""

    @Option(help: "Body text.")
    var body: String?

    @Option(help: "File whose bytes are the body.")
    var bodyFile: String?

    @Option(help: "Seconds to wait for the reply.")
    var timeout: Int = 30

    @OptionGroup var log: LogOptions

    func validate() throws {
        guard (body == nil) != (bodyFile == nil) else { throw ValidationError("give exactly one of --body and --body-file") }
    }

    func run() async throws {
        let logger = log.bootstrap(label: "swhub.submit")
        var clientConfig = try HubClientConfiguration.load(path: config)
        clientConfig.requestTimeout = .seconds(timeout)
        let bytes: [UInt8]
        if let bodyFile {
            guard let data = FileManager.default.contents(atPath: bodyFile) else {
                throw ValidationError("cannot read \(bodyFile)")
            }
            bytes = [UInt8](data)
        } else {
            bytes = Array((body ?? "").utf8)
        }
        let client = try HubClient(configuration: clientConfig, logger: logger)
        defer { client.close() }
        do {
            let receipt = try await client.submit(
                type: type, body: bytes, to: recipients, id: id, correlationId: correlationId)
            Output.line("accepted id=\(receipt.id) seq=\(receipt.seq) duplicate=\(receipt.duplicate) recipients=\(receipt.recipients)")
        } catch let error as HubClientError {
            // "error 404 UNKNOWN_TYPE: reason" for the hub's refusals, "error TIMEOUT: ..." otherwise.
            Output.line("error \(error.code == .rejected ? error.reason : error.description)")
            throw ExitCode(1)
        }
    }
}
