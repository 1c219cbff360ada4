import Foundation
import SwiftProtobuf

/// The first frame of a DELIVER_BATCH (PROTOCOL.md section 16), written entry by entry
/// straight into bytes: the same bytes as `WireProtocol.frame(.deliverBatch(_:))` of the
/// same headers and sizes (fields in number order, proto3 defaults left out, a header's
/// unknown fields last), without building a `WireDeliverBatch` of header copies and walking
/// it twice (sizes, then bytes). A fan-out writes each message once per recipient, so this
/// is per-recipient work kept to copying bytes; `DeliverBatchFrameTests` holds it to the
/// generated encoder's output.
public struct DeliverBatchFrame: Sendable {
    /// The `headers` entries, each with its tag and length.
    private var headers: [UInt8] = []
    private var bodySizes: [UInt32] = []

    /// An empty batch.
    public init() {}

    /// How many entries the batch holds.
    public var count: Int { bodySizes.count }

    /// Adds an entry: `header` addressed to `recipient` alone (its own recipients are not
    /// written), and the size of its body.
    ///
    /// - Parameters:
    ///   - header: The delivery header.
    ///   - recipient: The one recipient the entry names.
    ///   - bodySize: The size of the entry's body in the bodies frame.
    public mutating func append(_ header: WireHeader, recipient: String, bodySize: UInt32) {
        let unknown = header.unknownFields.data
        let size =
            Self.sizeBeforeRecipients(header) + Self.recipientFieldSize(recipient) + Self.sizeAfterRecipients(header, unknown: unknown)
        headers.append(0x0A)
        Varint.append(UInt64(size), to: &headers)
        Self.appendBeforeRecipients(header, to: &headers)
        Self.appendRecipient(recipient, to: &headers)
        Self.appendAfterRecipients(header, unknown: unknown, to: &headers)
        bodySizes.append(bodySize)
    }

    /// Adds an entry written from `shared`, addressed to `recipient` alone: the same bytes
    /// as `append(_:recipient:bodySize:)` of the header `shared` was made from, with only the
    /// recipient written per entry.
    ///
    /// - Parameters:
    ///   - shared: The header, written once for all its recipients.
    ///   - recipient: The one recipient the entry names.
    ///   - bodySize: The size of the entry's body in the bodies frame.
    public mutating func append(_ shared: SharedDeliveryHeader, recipient: String, bodySize: UInt32) {
        headers.append(0x0A)
        Varint.append(UInt64(shared.bytes.count + Self.recipientFieldSize(recipient)), to: &headers)
        shared.bytes.withUnsafeBufferPointer { bytes in
            headers.append(contentsOf: bytes[..<shared.split])
            Self.appendRecipient(recipient, to: &headers)
            headers.append(contentsOf: bytes[shared.split...])
        }
        bodySizes.append(bodySize)
    }

    /// Empties the batch, keeping its storage.
    public mutating func removeAll() {
        headers.removeAll(keepingCapacity: true)
        bodySizes.removeAll(keepingCapacity: true)
    }

    /// The serialized command: version, then the `deliver_batch` field.
    public var bytes: [UInt8] {
        var sizesLength = 0
        for size in bodySizes { sizesLength += Varint.size(UInt64(size)) }
        var batchLength = headers.count
        if !bodySizes.isEmpty { batchLength += 1 + Varint.size(UInt64(sizesLength)) + sizesLength }
        var frame: [UInt8] = []
        frame.reserveCapacity(batchLength + 16)
        Self.appendVarintField(UInt64(WireProtocol.batchVersion), tag: 0x08, to: &frame)
        frame.append(contentsOf: [0xBA, 0x01])  // field 23 (deliver_batch), length-delimited
        Varint.append(UInt64(batchLength), to: &frame)
        frame.append(contentsOf: headers)
        if !bodySizes.isEmpty {
            frame.append(0x12)
            Varint.append(UInt64(sizesLength), to: &frame)
            for size in bodySizes { Varint.append(UInt64(size), to: &frame) }
        }
        return frame
    }

    /// A DELIVER's first frame (version 1, the `deliver` field) for `header` addressed to
    /// `recipient` alone: the same bytes as `WireProtocol.frame(.deliver(_:))` of that
    /// header with `recipients = [recipient]`, written without a protobuf pass.
    ///
    /// - Parameters:
    ///   - header: The delivery header.
    ///   - recipient: The one recipient it names.
    /// - Returns: The serialized command.
    public static func deliver(_ header: WireHeader, recipient: String) -> [UInt8] {
        let unknown = header.unknownFields.data
        let size = sizeBeforeRecipients(header) + recipientFieldSize(recipient) + sizeAfterRecipients(header, unknown: unknown)
        var frame = deliverPrefix(headerSize: size)
        appendBeforeRecipients(header, to: &frame)
        appendRecipient(recipient, to: &frame)
        appendAfterRecipients(header, unknown: unknown, to: &frame)
        return frame
    }

    /// A DELIVER's first frame written from `shared`, addressed to `recipient` alone: the
    /// same bytes as `deliver(_:recipient:)` of the header `shared` was made from, as a
    /// fan-out writes each recipient's.
    ///
    /// - Parameters:
    ///   - shared: The header, written once for all its recipients.
    ///   - recipient: The one recipient it names.
    /// - Returns: The serialized command.
    public static func deliver(_ shared: SharedDeliveryHeader, recipient: String) -> [UInt8] {
        var frame = deliverPrefix(headerSize: shared.bytes.count + recipientFieldSize(recipient))
        shared.bytes.withUnsafeBufferPointer { bytes in
            frame.append(contentsOf: bytes[..<shared.split])
            appendRecipient(recipient, to: &frame)
            frame.append(contentsOf: bytes[shared.split...])
        }
        return frame
    }

    /// The command's version, the `deliver` field's tag and length, and the header's tag and
    /// length, with room for the header.
    private static func deliverPrefix(headerSize: Int) -> [UInt8] {
        let deliverSize = 1 + Varint.size(UInt64(headerSize)) + headerSize
        var frame: [UInt8] = []
        frame.reserveCapacity(deliverSize + 16)
        appendVarintField(UInt64(WireProtocol.version), tag: 0x08, to: &frame)
        frame.append(0x7A)  // field 15 (deliver), length-delimited
        Varint.append(UInt64(deliverSize), to: &frame)
        frame.append(0x0A)  // Deliver.header
        Varint.append(UInt64(headerSize), to: &frame)
        return frame
    }

    /// A header's fields before the recipients (id, type, sender) and after them (correlation
    /// id, times, seq, unknown fields), written into `bytes` with `split` between them.
    static func sharedParts(of header: WireHeader) -> (bytes: [UInt8], split: Int) {
        let unknown = header.unknownFields.data
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.sizeBeforeRecipients(header) + Self.sizeAfterRecipients(header, unknown: unknown))
        Self.appendBeforeRecipients(header, to: &bytes)
        let split = bytes.count
        Self.appendAfterRecipients(header, unknown: unknown, to: &bytes)
        return (bytes, split)
    }

    // A header entry's fields in number order: 1–3, the recipients (4), then 5–8 and the
    // unknown fields. An entry names its one recipient, written even when empty.

    private static func sizeBeforeRecipients(_ header: WireHeader) -> Int {
        stringSize(header.id) + stringSize(header.type) + stringSize(header.sender)
    }

    private static func appendBeforeRecipients(_ header: WireHeader, to bytes: inout [UInt8]) {
        appendString(header.id, tag: 0x0A, to: &bytes)
        appendString(header.type, tag: 0x12, to: &bytes)
        appendString(header.sender, tag: 0x1A, to: &bytes)
    }

    private static func recipientFieldSize(_ recipient: String) -> Int {
        1 + Varint.size(UInt64(recipient.utf8.count)) + recipient.utf8.count
    }

    private static func appendRecipient(_ recipient: String, to bytes: inout [UInt8]) {
        bytes.append(0x22)
        Varint.append(UInt64(recipient.utf8.count), to: &bytes)
        bytes.append(contentsOf: recipient.utf8)
    }

    private static func sizeAfterRecipients(_ header: WireHeader, unknown: Data) -> Int {
        stringSize(header.correlationID) + varintFieldSize(UInt64(bitPattern: header.createdAtUs))
            + varintFieldSize(UInt64(bitPattern: header.journaledAtUs)) + varintFieldSize(header.seq) + unknown.count
    }

    private static func appendAfterRecipients(_ header: WireHeader, unknown: Data, to bytes: inout [UInt8]) {
        appendString(header.correlationID, tag: 0x2A, to: &bytes)
        appendVarintField(UInt64(bitPattern: header.createdAtUs), tag: 0x30, to: &bytes)
        appendVarintField(UInt64(bitPattern: header.journaledAtUs), tag: 0x38, to: &bytes)
        appendVarintField(header.seq, tag: 0x40, to: &bytes)
        bytes.append(contentsOf: unknown)
    }

    private static func stringSize(_ string: String) -> Int {
        let count = string.utf8.count
        return count == 0 ? 0 : 1 + Varint.size(UInt64(count)) + count
    }

    private static func varintFieldSize(_ value: UInt64) -> Int {
        value == 0 ? 0 : 1 + Varint.size(value)
    }

    private static func appendString(_ string: String, tag: UInt8, to bytes: inout [UInt8]) {
        let count = string.utf8.count
        guard count > 0 else { return }
        bytes.append(tag)
        Varint.append(UInt64(count), to: &bytes)
        bytes.append(contentsOf: string.utf8)
    }

    private static func appendVarintField(_ value: UInt64, tag: UInt8, to bytes: inout [UInt8]) {
        guard value != 0 else { return }
        bytes.append(tag)
        Varint.append(value, to: &bytes)
    }
}
