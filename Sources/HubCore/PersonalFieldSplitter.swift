import HubProtocol

/// Takes the personal fields out of a serialized protobuf message, and puts them back, at
/// the wire level, without decoding the message into a type (as ``WireRedactor`` drops
/// fields).
///
/// ``split(_:)`` walks the message, removes every field at the configured field-number
/// paths (in every element of a repeated message field on the way), and returns the rest, a
/// well-formed message without those fields, and the removed fields with their places in
/// the rest. ``merge(rest:removed:)`` puts them back: the result is the original message
/// byte for byte (when its length prefixes were minimal varints, as every protobuf encoder
/// writes them). The journal keeps the rest in the clear and the removed part encrypted.
///
/// The removed part is a list of entries, each a tag byte, the entry's offset in the rest
/// of its message (varint), a length (varint) and that many bytes:
/// - tag 1: a removed field, the original bytes of its key and value;
/// - tag 2: a message field still in the rest at that offset, from which fields were
///   removed: the removed part of that inner message.
/// Entries are in increasing offset order; at one offset, removed fields come before the
/// message field that was kept there.
public struct PersonalFieldSplitter: Sendable, Equatable {
    /// The top-level field number under which the journal keeps a body's sealed personal
    /// fields (the largest protobuf allows). Submitted typed bodies may not use it
    /// (``RedactionPolicy/validate(type:body:)`` refuses them, 412).
    public static let sealedFieldNumber: Int32 = 536_870_911

    /// Field numbers removed here, and splitters for the message fields to descend into.
    private var take: Set<Int32> = []
    private var descend: [Int32: PersonalFieldSplitter] = [:]

    /// A splitter that removes every field at the given field-number paths.
    public init(paths: [[Int32]]) {
        for path in paths where !path.isEmpty { insert(path[...]) }
    }

    /// True if it removes nothing.
    public var isEmpty: Bool { take.isEmpty && descend.isEmpty }

    private mutating func insert(_ path: ArraySlice<Int32>) {
        guard let first = path.first else { return }
        if path.count == 1 {
            take.insert(first)
            descend[first] = nil
        } else if !take.contains(first) {
            var child = descend[first] ?? PersonalFieldSplitter(paths: [])
            child.insert(path.dropFirst())
            descend[first] = child
        }
    }

    private static let removedField: UInt8 = 1
    private static let innerMessage: UInt8 = 2

    /// The message without the personal fields, and the removed fields with their places;
    /// `removed` is nil when the message holds none of them (then `rest` is the message).
    /// - Throws: `WireFormatError` when the bytes are not a protobuf message.
    public func split(_ message: UnsafeRawBufferPointer) throws -> (rest: [UInt8], removed: [UInt8]?) {
        var rest: [UInt8] = []
        rest.reserveCapacity(message.count)
        var removed: [UInt8] = []
        var reader = WireReader(message)
        while !reader.atEnd {
            let start = reader.offset
            let key = try reader.varint()
            let keyEnd = reader.offset
            let number = Int32(truncatingIfNeeded: key >> 3)
            guard number > 0, key >> 3 <= 0x1FFF_FFFF else { throw WireFormatError("field number out of range at byte \(start)") }
            let value = try reader.skip(wireType: UInt8(key & 7))
            if take.contains(number) {
                Self.appendEntry(
                    Self.removedField, offset: rest.count, UnsafeRawBufferPointer(rebasing: message[start..<reader.offset]), to: &removed)
                continue
            }
            if let child = descend[number], key & 7 == 2 {
                let (innerRest, innerRemoved) = try child.split(UnsafeRawBufferPointer(rebasing: message[value]))
                if let innerRemoved {
                    innerRemoved.withUnsafeBytes { Self.appendEntry(Self.innerMessage, offset: rest.count, $0, to: &removed) }
                    rest.append(contentsOf: message[start..<keyEnd])
                    Varint.append(UInt64(innerRest.count), to: &rest)
                    rest.append(contentsOf: innerRest)
                    continue
                }
            }
            rest.append(contentsOf: message[start..<reader.offset])
        }
        return (rest, removed.isEmpty ? nil : removed)
    }

    /// The message `split(_:)` was given, from its two parts.
    /// - Throws: `WireFormatError` when either part is damaged or they do not belong together.
    public static func merge(rest: UnsafeRawBufferPointer, removed: UnsafeRawBufferPointer) throws -> [UInt8] {
        var entries = try Entries(removed)
        var output: [UInt8] = []
        output.reserveCapacity(rest.count + removed.count)
        var reader = WireReader(rest)
        while true {
            let start = reader.offset
            while let entry = entries.peek, entry.offset == start, entry.tag == removedField {
                output.append(contentsOf: entry.bytes)
                try entries.next()
            }
            if reader.atEnd { break }
            let key = try reader.varint()
            let keyEnd = reader.offset
            let value = try reader.skip(wireType: UInt8(key & 7))
            if let entry = entries.peek, entry.offset == start, entry.tag == innerMessage {
                guard key & 7 == 2 else { throw WireFormatError("removed fields belong in a message field at byte \(start)") }
                let inner = try merge(rest: UnsafeRawBufferPointer(rebasing: rest[value]), removed: entry.bytes)
                output.append(contentsOf: rest[start..<keyEnd])
                Varint.append(UInt64(inner.count), to: &output)
                output.append(contentsOf: inner)
                try entries.next()
            } else {
                output.append(contentsOf: rest[start..<reader.offset])
            }
        }
        if let entry = entries.peek {
            throw WireFormatError("a removed field's place (byte \(entry.offset)) is not in the message")
        }
        return output
    }

    /// `rest` with `sealed` appended as its last top-level field, numbered
    /// ``sealedFieldNumber``: the body as the journal keeps it.
    public static func attach(sealed: [UInt8], to rest: [UInt8]) -> [UInt8] {
        var body = rest
        body.reserveCapacity(rest.count + sealed.count + 10)
        Varint.append(UInt64(sealedFieldNumber) << 3 | 2, to: &body)
        Varint.append(UInt64(sealed.count), to: &body)
        body.append(contentsOf: sealed)
        return body
    }

    /// The rest and the sealed part of a body as the journal keeps it, nil when its last
    /// top-level field is not numbered ``sealedFieldNumber`` (no personal field was sealed
    /// in it) or when it is not a protobuf message (an opaque body).
    public static func detach(_ body: [UInt8]) -> (rest: ArraySlice<UInt8>, sealed: ArraySlice<UInt8>)? {
        // The sealed field's key is 5 bytes; it is only ever last, so look there first.
        guard body.count >= 6 else { return nil }
        return body.withUnsafeBytes { bytes in
            var reader = WireReader(bytes)
            var last: (start: Int, key: UInt64, value: Range<Int>)?
            while !reader.atEnd {
                let start = reader.offset
                guard let key = try? reader.varint(), let value = try? reader.skip(wireType: UInt8(key & 7)) else { return nil }
                last = (start, key, value)
            }
            guard let last, last.key == UInt64(sealedFieldNumber) << 3 | 2 else { return nil }
            return (body[..<last.start], body[last.value])
        }
    }

    private static func appendEntry(_ tag: UInt8, offset: Int, _ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.append(tag)
        Varint.append(UInt64(offset), to: &output)
        Varint.append(UInt64(bytes.count), to: &output)
        output.append(contentsOf: bytes)
    }

    /// A cursor over the entries of a removed part.
    private struct Entries {
        struct Entry {
            var tag: UInt8
            var offset: Int
            var bytes: UnsafeRawBufferPointer
        }

        private var reader: WireReader
        private(set) var peek: Entry?

        init(_ bytes: UnsafeRawBufferPointer) throws {
            reader = WireReader(bytes)
            try next()
        }

        /// Moves to the next entry; entries must not go back in offset.
        mutating func next() throws {
            guard !reader.atEnd else {
                peek = nil
                return
            }
            let at = reader.offset
            let tag = reader.bytes[at]
            guard tag == PersonalFieldSplitter.removedField || tag == PersonalFieldSplitter.innerMessage else {
                throw WireFormatError("unknown entry \(tag) in removed fields at byte \(at)")
            }
            _ = try reader.varint()  // the tag byte, below 0x80: a one-byte varint
            let offset = try reader.varint()
            let range = try reader.skip(wireType: 2)
            guard offset <= UInt64(Int.max), Int(offset) >= (peek?.offset ?? 0) else {
                throw WireFormatError("removed fields out of order at byte \(at)")
            }
            peek = Entry(tag: tag, offset: Int(offset), bytes: UnsafeRawBufferPointer(rebasing: reader.bytes[range]))
        }
    }
}
