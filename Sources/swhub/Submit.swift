import ArgumentParser
import DepartmentFormats
import Foundation
import HubClient
import HubProtocol
import Logging

/// `swhub submit`: sends one message and prints the hub's reply.
struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Submit one message and print the hub's reply.")

    @Option(
        help:
            "Client config file (see Deploy/client-enterprise.yaml); hub_endpoints: [A, B] lists a hub cluster's nodes, failed over in turn."
    )
    var config: String

    @Option(help: "Message type, as declared in the hub's config.")
    var type: String?

    @Option(
        help:
            "A CEB XML file (311/303 orders, 411/403, 511/505, 621/603, 605/623 cancellations, 213/625 returns, 215, 507, 509, 513, 607, 711; DXP envelope or not; a 701 is refused 415 NOT_ENTITLED: the hub's flows make summary declarations): each business node is submitted as its hub message, with an id derived from the file's content and the node's position."
    )
    var ceb: String?

    @Option(name: .customLong("to"), help: "Explicit recipient party (repeatable).")
    var recipients: [String] = []

    @Option(help: "Message id (default: a new time-ordered UUID, version 7). The same id twice is journaled once.")
    var id: String?

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
        if ceb != nil {
            guard type == nil, body == nil, bodyFile == nil else { throw ValidationError("--ceb takes no --type, --body or --body-file") }
            return
        }
        guard type != nil else { throw ValidationError("give --type (or --ceb FILE)") }
        guard (body == nil) != (bodyFile == nil) else { throw ValidationError("give exactly one of --body and --body-file") }
    }

    func run() async throws {
        let logger = log.bootstrap(label: "swhub.submit")
        var clientConfig = try HubClientConfiguration.load(path: config)
        clientConfig.requestTimeout = .seconds(timeout)
        if let ceb {
            try await submitCEB(ceb, configuration: clientConfig, logger: logger)
            return
        }
        let type = type ?? ""
        let bytes: [UInt8]
        if let bodyFile {
            guard let data = FileManager.default.contents(atPath: bodyFile) else {
                throw CommandFailure(.refused, "cannot read \(bodyFile)")
            }
            bytes = [UInt8](data)
        } else {
            bytes = Array((body ?? "").utf8)
        }
        let client = try HubClient(configuration: clientConfig, logger: logger)
        defer { client.close() }
        do {
            let receipt = try await client.submit(
                type: type, body: bytes, to: recipients, id: id ?? TimeOrderedId.make(), correlationId: correlationId)
            Output.line("accepted id=\(receipt.id) seq=\(receipt.seq) duplicate=\(receipt.duplicate) recipients=\(receipt.recipients)")
        } catch let error as HubClientError {
            // "error 404 UNKNOWN_TYPE: reason" for the hub's refusals, "error TIMEOUT: ..." otherwise.
            Output.line("error \(error.code == .rejected ? error.reason : error.description)")
            throw ExitStatus.of(error).exitCode
        }
    }

    /// Submits every business node of a CEB XML file; exits 2 (refused) if the file or one
    /// of its nodes was refused, else with the class of the first failure (4 retry later,
    /// 5 hub failure, ...): resubmitting the file is safe, its ids come from its content.
    private func submitCEB(_ path: String, configuration: HubClientConfiguration, logger: Logger) async throws {
        guard let data = FileManager.default.contents(atPath: path).map({ [UInt8]($0) }) else {
            throw CommandFailure(.refused, "cannot read \(path)")
        }
        let name = URL(fileURLWithPath: path).lastPathComponent
        let documents: [InboundDocument]
        do {
            documents = try CEBReader.read(data, fileName: name)
        } catch {
            Output.line("error \(error)")
            throw ExitStatus.refused.exitCode
        }
        let client = try HubClient(configuration: configuration, logger: logger)
        defer { client.close() }
        let party = configuration.party ?? "enterprise"
        let contentId = InboundDocument.contentId(of: data)
        var failure: ExitStatus?
        for document in documents {
            let id = document.messageId(party: party, contentId: contentId)
            do {
                let receipt = try await client.submit(
                    type: document.type, body: document.body, to: recipients, id: id, correlationId: document.correlationId)
                Output.line(
                    "accepted \(document.type) \(document.position) id=\(receipt.id) seq=\(receipt.seq) duplicate=\(receipt.duplicate)")
            } catch let error as HubClientError {
                Output.line("error \(document.type) \(document.position): \(error.code == .rejected ? error.reason : error.description)")
                let status = ExitStatus.of(error)
                if failure == nil || status == .refused { failure = status }
            }
        }
        if let failure { throw failure.exitCode }
    }
}
