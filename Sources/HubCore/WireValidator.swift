/// Checks that a typed body is a message of its declared type all the way down, as a
/// standard protobuf parser (C++, Python, swift-protobuf) would read it, without decoding it
/// into a type: every field the schema knows has the wire type of its declared type (a
/// repeated number may also come packed), every string field holds valid UTF-8, every
/// message field holds a message of its type, checked the same way, at most
/// ``maxDepth`` levels deep. Fields the schema does not know only have to be well-formed
/// wire format: a body from a newer schema passes.
///
/// Why: the hub hands typed bodies to parties byte for byte, or with hidden fields removed
/// (``WireRedactor``, which descends into nested messages). A body whose nested message or
/// string only looks right at the top level would be accepted, journaled, and then refused
/// by each recipient's parser, or fail the redaction of a party that hides a nested field.
public struct WireValidator: Sendable {
    /// How deep messages may nest (swift-protobuf's default recursion limit).
    public static let maxDepth = 100

    private let schema: MessageSchema

    /// A validator for the messages of `schema`.
    public init(schema: MessageSchema) {
        self.schema = schema
    }

    /// Checks `body` as a `message` (fully qualified, e.g. `"swhub.v1.Order"`).
    /// - Throws: ``WireFormatError`` naming the byte, the field and what is wrong, never the content.
    public func check(_ body: UnsafeRawBufferPointer, as message: String) throws(WireFormatError) {
        try check(body, as: message, base: 0, depth: 1)
    }

    private func check(_ body: UnsafeRawBufferPointer, as message: String, base: Int, depth: Int) throws(WireFormatError) {
        guard depth <= Self.maxDepth else {
            throw WireFormatError("messages nested more than \(Self.maxDepth) deep at byte \(base)")
        }
        // The message's fields by number, looked up once (not its name per field).
        let fields = schema.fieldsByNumber(of: message)
        var reader = WireReader(body)
        while !reader.atEnd {
            let start = reader.offset
            let key = try Self.wire { try reader.varint() }
            guard key >> 3 > 0, key >> 3 <= 0x1FFF_FFFF else {
                throw WireFormatError("field number out of range at byte \(base + start)")
            }
            let wireType = UInt8(key & 7)
            let value = try Self.wire { try reader.skip(wireType: wireType) }
            guard let field = fields?[Int32(key >> 3)] else { continue }
            let payload = UnsafeRawBufferPointer(rebasing: body[value])
            let offset = base + start
            switch field.encoding {
            case .message:
                guard wireType == 2, let type = field.messageType else { throw Self.wrongWireType(wireType, field, message, offset) }
                try check(payload, as: type, base: base + value.lowerBound, depth: depth + 1)
            case .string:
                guard wireType == 2 else { throw Self.wrongWireType(wireType, field, message, offset) }
                guard Self.isUTF8(payload) else {
                    throw WireFormatError("\(Self.place(field, message, offset)) is not valid UTF-8")
                }
            case .bytes:
                guard wireType == 2 else { throw Self.wrongWireType(wireType, field, message, offset) }
            case .varint, .fixed64, .fixed32:
                try Self.checkNumber(field, wireType: wireType, payload: payload, message: message, offset: offset)
            case .group:
                throw Self.wrongWireType(wireType, field, message, offset)
            }
        }
    }

    /// A number field: its own wire type, or packed (wire type 2) when repeated, the packed
    /// bytes holding whole values only.
    private static func checkNumber(
        _ field: MessageSchema.Field, wireType: UInt8, payload: UnsafeRawBufferPointer, message: String, offset: Int
    ) throws(WireFormatError) {
        let own: UInt8 = field.encoding == .varint ? 0 : field.encoding == .fixed64 ? 1 : 5
        if wireType == own { return }
        guard wireType == 2, field.repeated else { throw wrongWireType(wireType, field, message, offset) }
        switch field.encoding {
        case .fixed64, .fixed32:
            let size = field.encoding == .fixed64 ? 8 : 4
            guard payload.count % size == 0 else {
                throw WireFormatError("\(place(field, message, offset)): packed values are not whole \(size)-byte numbers")
            }
        default:
            var reader = WireReader(payload)
            while !reader.atEnd {
                do {
                    _ = try reader.varint()
                } catch {
                    throw WireFormatError("\(place(field, message, offset)): packed values end inside a varint")
                }
            }
        }
    }

    /// Where a field is, for an error (made only then: on every field it cost more than the check).
    private static func place(_ field: MessageSchema.Field, _ message: String, _ offset: Int) -> String {
        "field \(field.name) (\(field.number)) of \(message) at byte \(offset)"
    }

    private static func wrongWireType(_ wireType: UInt8, _ field: MessageSchema.Field, _ message: String, _ offset: Int) -> WireFormatError
    {
        WireFormatError("\(place(field, message, offset)) has wire type \(wireType), which its declared type does not use")
    }

    /// Runs a ``WireReader`` step, whose errors are ``WireFormatError`` already.
    private static func wire<T>(_ step: () throws -> T) throws(WireFormatError) -> T {
        do {
            return try step()
        } catch let error as WireFormatError {
            throw error
        } catch {
            throw WireFormatError("\(error)")
        }
    }

    /// Whether `bytes` are well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
    static func isUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var parser = Unicode.UTF8.ForwardParser()
        var input = bytes.makeIterator()
        while true {
            switch parser.parseScalar(from: &input) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
