import SwiftProtobuf

/// Builds a serialized `swhub.v1.TapBatch` (PROTOCOL.md section 15) copy by copy, byte for
/// byte what swift-protobuf encodes for the same `WireTapBatch`, without building
/// `WireTapCopy` values: the header arrives already serialized (once per recipient, for
/// every observer) and the body is copied straight from its frame.
public struct TapBatchWriter: Sendable {
    /// The serialized copies so far.
    public private(set) var bytes: [UInt8] = []
    /// How many copies the batch holds.
    public private(set) var copies = 0

    public init() {}

    /// Appends one `TapCopy{topic, header, body}`.
    /// - Parameters:
    ///   - topic: `observer/type/sender/recipient` (UTF-8).
    ///   - headerBytes: a serialized `WireHeader`.
    ///   - body: the body as the observer may see it; an empty body is left out, as proto3 does.
    public mutating func append(topic: [UInt8], headerBytes: [UInt8], body: UnsafeRawBufferPointer) {
        var length = 1 + Varint.size(UInt64(topic.count)) + topic.count
        length += 1 + Varint.size(UInt64(headerBytes.count)) + headerBytes.count
        if !body.isEmpty { length += 1 + Varint.size(UInt64(body.count)) + body.count }
        bytes.append(0x0A)  // TapBatch.copies: field 1, length-delimited
        Varint.append(UInt64(length), to: &bytes)
        bytes.append(0x0A)  // TapCopy.topic: field 1
        Varint.append(UInt64(topic.count), to: &bytes)
        bytes.append(contentsOf: topic)
        bytes.append(0x12)  // TapCopy.header: field 2
        Varint.append(UInt64(headerBytes.count), to: &bytes)
        bytes.append(contentsOf: headerBytes)
        if !body.isEmpty {
            bytes.append(0x1A)  // TapCopy.body: field 3
            Varint.append(UInt64(body.count), to: &bytes)
            bytes.append(contentsOf: body)
        }
        copies += 1
    }

    /// Ends the batch with `dropped` (left out if 0): `bytes` is then a serialized
    /// `TapBatch`, until `reset()`.
    public mutating func seal(dropped: UInt64) {
        if dropped > 0 {
            bytes.append(0x10)  // TapBatch.dropped: field 2, varint
            Varint.append(dropped, to: &bytes)
        }
    }

    /// Empties the writer for the next batch, keeping its buffer (a tap fills one batch
    /// after another: no allocation, no page faults once the buffer has grown).
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        copies = 0
    }

    /// Counts the copies of a serialized `TapBatch` and reads its `dropped`, without decoding
    /// the copies: what a subscriber that only counts needs.
    /// - Throws: `BinaryDecodingError` (as swift-protobuf would) for bytes that are not a well-formed `TapBatch`.
    public static func summary(of batch: UnsafeRawBufferPointer) throws -> (copies: Int, dropped: UInt64) {
        var reader = VarintReader(bytes: batch)
        var copies = 0
        var dropped: UInt64 = 0
        while !reader.atEnd {
            let key = try reader.varint()
            switch (key >> 3, key & 7) {
            case (1, 2):
                try reader.skip(Int(clamping: try reader.varint()))
                copies += 1
            case (2, 0):
                dropped = try reader.varint()
            case (_, 0):
                _ = try reader.varint()
            case (_, 1):
                try reader.skip(8)
            case (_, 2):
                try reader.skip(Int(clamping: try reader.varint()))
            case (_, 5):
                try reader.skip(4)
            default:
                throw BinaryDecodingError.malformedProtobuf
            }
        }
        return (copies, dropped)
    }

}

/// Reads varints and skips bytes of a protobuf encoding, checking every bound.
private struct VarintReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    var atEnd: Bool { offset >= bytes.count }

    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw BinaryDecodingError.malformedProtobuf
    }

    mutating func skip(_ count: Int) throws {
        guard count >= 0, count <= bytes.count - offset else {
            throw BinaryDecodingError.truncated
        }
        offset += count
    }
}
