/// What a client that only counts reads of a command frame (PROTOCOL.md sections 5 and 16):
/// its kind, and of each message it carries (a SUBMIT's or a DELIVER's header, every header
/// of a DELIVER_BATCH) the seq and whether the id starts with a prefix. The protobuf bytes
/// are walked in place and everything else is skipped: no header, string or array is made.
///
/// `swhub bench`'s receivers count their run's messages with it. Decoding each header whole
/// with swift-protobuf cost them about 1 µs per message; in a 1 → 5 case five receivers
/// pay that for every message, on the same two cores as the hub. A client that uses the
/// messages decodes them (`WireCommand`); this is for counting only.
public struct CommandScan: Sendable, Equatable {
    /// The command's kind, as far as a counting client cares.
    public enum Kind: Sendable, Equatable {
        /// SUBMIT: one header.
        case submit
        /// DELIVER: one header.
        case deliver
        /// DELIVER_BATCH: any number of headers.
        case deliverBatch
        /// Any other command (no headers are read).
        case other
    }

    /// The kind.
    public private(set) var kind = Kind.other
    /// The headers read.
    public private(set) var headers = 0
    /// Of those, the ones whose id starts with the prefix.
    public private(set) var matching = 0
    /// The last header's seq (0 when none, or none was set).
    public private(set) var lastSeq: UInt64 = 0

    /// Scans `frame`, a serialized `Command`; nil when it is not well-formed protobuf.
    ///
    /// - Parameters:
    ///   - frame: The command frame.
    ///   - idPrefix: The prefix counted in `matching`.
    public init?(_ frame: [UInt8], idPrefix: [UInt8]) {
        let scanned: CommandScan? = frame.withUnsafeBytes { bytes in
            var scan = CommandScan()
            var reader = Reader(bytes: bytes, start: 0, end: bytes.count)
            while let (field, wire) = reader.nextTag() {
                let kind: Kind
                switch (field, wire) {
                case (12, 2): kind = .submit
                case (15, 2): kind = .deliver
                case (23, 2): kind = .deliverBatch
                default:
                    guard reader.skip(wire) else { return nil }
                    continue
                }
                guard let message = reader.lengthDelimited() else { return nil }
                scan.kind = kind
                // Submit and Deliver hold their header in field 1, DeliverBatch its headers.
                var inner = message
                while let (innerField, innerWire) = inner.nextTag() {
                    guard innerField == 1, innerWire == 2 else {
                        guard inner.skip(innerWire) else { return nil }
                        continue
                    }
                    guard let header = inner.lengthDelimited(), scan.readHeader(header, idPrefix: idPrefix) else { return nil }
                }
                guard inner.isValid else { return nil }
            }
            return reader.isValid ? scan : nil
        }
        guard let scanned else { return nil }
        self = scanned
    }

    private init() {}

    /// Reads one `Header`: field 1 (id) and field 8 (seq).
    private mutating func readHeader(_ header: Reader, idPrefix: [UInt8]) -> Bool {
        var header = header
        var matches = idPrefix.isEmpty
        var seq: UInt64 = 0
        while let (field, wire) = header.nextTag() {
            if field == 1, wire == 2 {
                guard let id = header.lengthDelimited() else { return false }
                matches = id.hasPrefix(idPrefix)
            } else if field == 8, wire == 0 {
                guard let value = header.varint() else { return false }
                seq = value
            } else if !header.skip(wire) {
                return false
            }
        }
        guard header.isValid else { return false }
        headers += 1
        if matches { matching += 1 }
        lastSeq = seq
        return true
    }

    /// A cursor over protobuf bytes in `start..<end`; `isValid` turns false at the first
    /// malformed field and stays so.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var start: Int
        let end: Int
        private(set) var isValid = true

        init(bytes: UnsafeRawBufferPointer, start: Int, end: Int) {
            self.bytes = bytes
            self.start = start
            self.end = end
        }

        /// The next field number and wire type; nil at the end or on a malformed tag.
        mutating func nextTag() -> (Int, UInt8)? {
            guard isValid, start < end, let tag = varint() else { return nil }
            let field = tag >> 3
            guard field > 0, field < 1 << 29 else { return fail() }
            return (Int(field), UInt8(tag & 7))
        }

        mutating func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while start < end, shift < 64 {
                let byte = bytes[start]
                start += 1
                value |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return fail()
        }

        /// The bytes of a length-delimited field, as a reader of their own.
        mutating func lengthDelimited() -> Reader? {
            guard let length = varint(), length <= UInt64(end - start) else { return fail() }
            let field = Reader(bytes: bytes, start: start, end: start + Int(length))
            start += Int(length)
            return field
        }

        /// Skips a field's value of wire type `wire`; false when it cannot be skipped.
        mutating func skip(_ wire: UInt8) -> Bool {
            switch wire {
            case 0: return varint() != nil
            case 1, 5:
                let size = wire == 1 ? 8 : 4
                guard end - start >= size else { return fail() ?? false }
                start += size
                return true
            case 2: return lengthDelimited() != nil
            default: return fail() ?? false
            }
        }

        /// Whether the bytes begin with `prefix`.
        func hasPrefix(_ prefix: [UInt8]) -> Bool {
            guard end - start >= prefix.count else { return false }
            for (offset, byte) in prefix.enumerated() where bytes[start + offset] != byte { return false }
            return true
        }

        private mutating func fail<T>() -> T? {
            isValid = false
            return nil
        }
    }
}
