import HubProtocol

/// Removes fields from a serialized protobuf message without decoding it into a type:
/// it walks the wire format, drops the fields named by field-number paths, descends into
/// the length-delimited fields that lead to deeper paths (every element of a repeated
/// message field), and copies everything else byte for byte. Unknown fields survive, so a
/// body from a newer schema keeps what this hub does not know about.
public struct WireRedactor: Sendable, Equatable {
    /// Field numbers to drop here, and sub-redactors for fields to descend into.
    private var drop: Set<Int32> = []
    private var descend: [Int32: WireRedactor] = [:]

    /// A redactor that drops every field at the given field-number paths.
    public init(paths: [[Int32]]) {
        for path in paths where !path.isEmpty { insert(path[...]) }
    }

    /// True if it removes nothing.
    public var isEmpty: Bool { drop.isEmpty && descend.isEmpty }

    private mutating func insert(_ path: ArraySlice<Int32>) {
        guard let first = path.first else { return }
        if path.count == 1 {
            drop.insert(first)
            descend[first] = nil
        } else if !drop.contains(first) {
            var child = descend[first] ?? WireRedactor(paths: [])
            child.insert(path.dropFirst())
            descend[first] = child
        }
    }

    /// The message without the redacted fields. Throws `WireFormatError` on bytes that are
    /// not a protobuf message (the caller refuses such a body rather than pass it on).
    public func redact(_ message: [UInt8]) throws -> [UInt8] {
        if isEmpty { return message }
        return try message.withUnsafeBytes { try redact($0) }
    }

    /// Walks a whole message, recursing into nothing, and returns the byte offset of the
    /// first top-level field numbered `number`, nil when there is none. Throws
    /// `WireFormatError` if its top level is not well-formed wire format.
    public static func firstOffset(ofField number: Int32, in message: UnsafeRawBufferPointer) throws -> Int? {
        var reader = WireReader(message)
        var found: Int?
        while !reader.atEnd {
            let start = reader.offset
            let key = try reader.varint()
            guard key >> 3 > 0, key >> 3 <= 0x1FFF_FFFF else { throw WireFormatError("field number out of range at byte \(start)") }
            _ = try reader.skip(wireType: UInt8(key & 7))
            if found == nil, key >> 3 == UInt64(number) { found = start }
        }
        return found
    }

    /// As `redact(_:)`, reading from a buffer (a received frame, for instance).
    public func redact(_ message: UnsafeRawBufferPointer) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.count)
        var reader = WireReader(message)
        while !reader.atEnd {
            let start = reader.offset
            let key = try reader.varint()
            let number = Int32(truncatingIfNeeded: key >> 3)
            guard number > 0, key >> 3 <= 0x1FFF_FFFF else { throw WireFormatError("field number out of range at byte \(start)") }
            let value = try reader.skip(wireType: UInt8(key & 7))
            if drop.contains(number) { continue }
            if let child = descend[number], key & 7 == 2 {
                let inner = try child.redact(UnsafeRawBufferPointer(rebasing: message[value]))
                Varint.append(key, to: &output)
                Varint.append(UInt64(inner.count), to: &output)
                output.append(contentsOf: inner)
            } else {
                output.append(contentsOf: message[start..<reader.offset])
            }
        }
        return output
    }
}

/// Bytes that are not a valid protobuf message.
public struct WireFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A cursor over protobuf wire format.
struct WireReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { offset >= bytes.count }

    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw WireFormatError("truncated varint at byte \(offset)") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw WireFormatError("varint longer than 10 bytes at byte \(offset)") }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// Skips one value of `wireType`; returns the range of a length-delimited payload
    /// (empty range at the end of the value for the others).
    mutating func skip(wireType: UInt8) throws -> Range<Int> {
        switch wireType {
        case 0:
            _ = try varint()
        case 1, 5:
            let size = wireType == 1 ? 8 : 4
            guard bytes.count - offset >= size else { throw WireFormatError("truncated fixed-size value at byte \(offset)") }
            offset += size
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.count - offset) else {
                throw WireFormatError("length \(length) runs past the end at byte \(offset)")
            }
            let start = offset
            offset += Int(length)
            return start..<offset
        default:
            throw WireFormatError("unsupported wire type \(wireType) at byte \(offset)")
        }
        return offset..<offset
    }
}
