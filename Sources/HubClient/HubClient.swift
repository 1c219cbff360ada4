import Foundation
public import HubProtocol
public import Logging
import ZeroMQ

/// The Swift SDK for talking to the hub: connect with a CURVE key pair, submit messages and
/// await their ACCEPTED (or a typed error), receive deliveries as an `AsyncSequence` and
/// acknowledge them. The connection is watched with heartbeats and re-established when it
/// dies: HELLO is sent again (so delivery resumes after the last acknowledgement) and
/// unanswered submissions are resent under the same ids (so they are journaled once).
/// With several endpoints (the nodes of a hub cluster, `HubClientConfiguration.endpoints`)
/// each new connection goes to the next node, round robin: a client whose node died is on
/// another at once when the node's connection closed (its process died), after three
/// heartbeats when it went silent (its machine died), and a node refusing connections is
/// skipped; `currentEndpoint` says which node the client is on.
///
/// All socket work happens on one I/O thread owned by this client.
public final class HubClient: Sendable {
    private let connection: ClientConnection
    /// Deliveries in seq order, each at most once per client instance. Empty unless the
    /// configuration has `receive` set.
    public let deliveries: AsyncStream<Delivery>

    /// Creates the client and starts connecting in the background; `connect(timeout:)`
    /// waits for the hub's answer.
    /// - Parameters:
    ///   - configuration: where the hub is and who this client is (see
    ///     `HubClientConfiguration.load(path:)`).
    ///   - logger: where the connection logs what it does.
    /// - Throws: `ZMQError` if the client's ZeroMQ context or sockets cannot be created;
    ///   `HubClientError` with `.configuration` if the configuration names no endpoint.
    public init(configuration: HubClientConfiguration, logger: Logger) throws {
        let (stream, continuation) = AsyncStream<Delivery>.makeStream()
        deliveries = stream
        connection = try ClientConnection(configuration: configuration, deliveries: continuation, logger: logger)
        connection.start()
    }

    /// The hub endpoint the client is connected to, or connecting to while it has no
    /// connection: one of `HubClientConfiguration.endpoints`, changing when it fails over.
    public var currentEndpoint: String { connection.currentEndpoint }
    /// Submissions waiting for their answer (queued, lingering for a batch, or sent).
    public var pendingCount: Int { connection.pendingCount }

    /// Submissions not yet handed to the socket: waiting for a SUBMIT_BATCH to fill, for
    /// the connection, or for the I/O thread's next turn (part of ``pendingCount``).
    public var unsentCount: Int { connection.unsentCount }

    /// Why the client stopped on its own, nil while it runs or when ``close()`` stopped it: the hub's
    /// reload revoked its key (`430 KEY_REVOKED`, `.authenticationFailed`). `deliveries` then
    /// ends, and every submission fails with it.
    public var failure: HubClientError? { connection.failure }

    /// Waits for the hub's WELCOME: the hub has authenticated us and, when receiving, opened
    /// our session.
    /// - Parameter timeout: how long to wait for the hub.
    /// - Returns: who the hub took our key for, and the session's terms.
    /// - Throws: `HubClientError` with `.authenticationFailed` if the hub refused our key,
    ///   `.timeout` if it did not answer in time, `.closed` after `close()`.
    @discardableResult
    public func connect(timeout: Duration = .seconds(10)) async throws -> HubWelcome {
        HubWelcome(wire: try await connection.awaitWelcome(timeout: timeout))
    }

    /// Submits a message and waits until the hub has journaled it durably.
    /// - Parameters:
    ///   - type: a message type declared in the hub's config.
    ///   - body: the opaque body.
    ///   - recipients: explicit recipients, besides the type's subscribers.
    ///   - id: the message id; resubmitting the same id returns the original seq.
    ///   - correlationId: the message this one relates to, if any.
    /// - Returns: the journal's receipt.
    /// - Throws: `HubClientError`: `.rejected` with the hub's code, `.timeout`, `.closed`.
    public func submit(
        type: String, body: [UInt8], to recipients: [String] = [], id: String = TimeOrderedId.make(),
        correlationId: String = ""
    ) async throws -> SubmitReceipt {
        try await submit(OutgoingMessage(type: type, body: body, to: recipients, id: id, correlationId: correlationId))
    }

    /// Submits a message and waits until the hub has journaled it durably.
    /// - Parameter message: the message.
    /// - Returns: the journal's receipt.
    /// - Throws: `HubClientError`: `.rejected` with the hub's code, `.timeout`, `.closed`.
    public func submit(_ message: OutgoingMessage) async throws -> SubmitReceipt {
        try await connection.submit(header: message.header, body: message.body)
    }

    /// Submits a message with a wire header of the caller's making: for tools and tests that
    /// need a field `OutgoingMessage` does not offer (the hub still sets sender, seq and
    /// journal time, and refuses a header claiming another sender).
    /// - Parameters:
    ///   - header: the SUBMIT header.
    ///   - body: the opaque body.
    /// - Returns: the journal's receipt.
    /// - Throws: `HubClientError`: `.rejected` with the hub's code, `.timeout`, `.closed`.
    public func submit(header: WireHeader, body: [UInt8]) async throws -> SubmitReceipt {
        try await connection.submit(header: header, body: body)
    }

    /// Submits several messages in this order (the hub journals them in this order, unless a
    /// reconnection makes one be resent) and waits until each is journaled or refused.
    /// - Parameter messages: the messages, in the order they are to be journaled.
    /// - Returns: one result per message, in the same order.
    public func submit(inOrder messages: [OutgoingMessage]) async -> [Result<SubmitReceipt, HubClientError>] {
        await connection.submit(inOrder: messages.map { (header: $0.header, body: $0.body) })
    }

    /// Sends at once the submissions waiting for a SUBMIT_BATCH to fill (they wait at most
    /// `HubClientConfiguration.batchLinger` otherwise).
    public func flush() {
        connection.flush()
    }

    /// Acknowledges every delivery up to and including `seq` (cumulative): do it once a
    /// delivery is processed durably; what is not acknowledged is delivered again after a
    /// reconnection or restart.
    /// - Parameter seq: the `Delivery.seq` of the last delivery processed.
    public func acknowledge(_ seq: UInt64) {
        connection.acknowledge(seq)
    }

    /// Sends pending acknowledgements, closes the connection and ends `deliveries`.
    public func close() {
        connection.close()
    }

    deinit {
        connection.close()
    }
}
