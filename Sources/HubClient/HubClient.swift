import Foundation
import HubProtocol
import Logging
import ZeroMQ

/// The Swift SDK for talking to the hub: connect with a CURVE key pair, submit messages and
/// await their ACCEPTED (or a typed error), receive deliveries as an `AsyncSequence` and
/// acknowledge them. The connection is watched with heartbeats and re-established when it
/// dies: HELLO is sent again (so delivery resumes after the last acknowledgement) and
/// unanswered submissions are resent under the same ids (so they are journaled once).
///
/// All socket work happens on one I/O thread owned by this client.
public final class HubClient: Sendable {
    private let connection: ClientConnection
    /// Deliveries in seq order, each at most once per client instance. Empty unless the
    /// configuration has `receive` set.
    public let deliveries: AsyncStream<Delivery>

    /// Creates the client and starts connecting.
    public init(configuration: HubClientConfiguration, logger: Logger) throws {
        let (stream, continuation) = AsyncStream<Delivery>.makeStream()
        deliveries = stream
        connection = try ClientConnection(configuration: configuration, deliveries: continuation, logger: logger)
        connection.start()
    }

    /// Waits for the hub's WELCOME: the hub has authenticated us and, when receiving, opened
    /// our session. Throws `.authenticationFailed` if the hub refused our key.
    @discardableResult
    public func connect(timeout: Duration = .seconds(10)) async throws -> WireWelcome {
        try await connection.awaitWelcome(timeout: timeout)
    }

    /// Submits a message and waits until the hub has journaled it durably.
    /// - Parameters:
    ///   - type: a message type declared in the hub's config.
    ///   - body: the opaque body.
    ///   - recipients: explicit recipients, besides the type's subscribers.
    ///   - id: the message id; resubmitting the same id returns the original seq.
    ///   - correlationId: the message this one relates to, if any.
    public func submit(
        type: String, body: [UInt8], to recipients: [String] = [], id: String = UUID().uuidString,
        correlationId: String = ""
    ) async throws -> SubmitReceipt {
        var header = WireHeader()
        header.id = id
        header.type = type
        header.recipients = recipients
        header.correlationID = correlationId
        header.createdAtUs = Int64(Date().timeIntervalSince1970 * 1_000_000)
        return try await submit(header: header, body: body)
    }

    /// Submits a message with a header of the caller's making.
    public func submit(header: WireHeader, body: [UInt8]) async throws -> SubmitReceipt {
        try await connection.submit(header: header, body: body)
    }

    /// Submits several messages in this order (the hub journals them in this order, unless a
    /// reconnection makes one be resent) and waits until each is journaled or refused: one
    /// result per message, in the same order.
    public func submit(inOrder messages: [(header: WireHeader, body: [UInt8])]) async -> [Result<SubmitReceipt, HubClientError>] {
        await connection.submit(inOrder: messages)
    }

    /// Acknowledges every delivery up to and including `seq` (cumulative).
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
