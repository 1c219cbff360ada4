/// Why a department file could not be read or a message could not be written in a
/// department's format: a stable code, where (a line, a column, an XPath), and why. The
/// file adapters put it in the reason file beside a rejected file.
public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable codes; new ones are only added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Not well-formed: XML syntax, broken JSON, a CSV row that does not parse.
        public static let syntax = Code("SYNTAX")
        /// Well-formed, but not a document of this format (unknown root, wrong namespace,
        /// unknown message type).
        public static let unknownDocument = Code("UNKNOWN_DOCUMENT")
        /// A required element, attribute or column is missing or empty.
        public static let missingField = Code("MISSING_FIELD")
        /// A value breaks the format's rules (length, pattern, enumeration, number format).
        public static let invalidValue = Code("INVALID_VALUE")
        /// The message cannot be written in this format (e.g. a hub type it has no form for).
        public static let unsupported = Code("UNSUPPORTED")
        /// Not an error of the file: a record that returns or reverses a payment (a bank's
        /// return or reversal), reported beside the file and never submitted as a payment.
        public static let returned = Code("RETURNED")
    }

    public var code: Code
    /// Where: "line 12, column 5", "/CEB311Message/Order[2]/OrderHead/orderNo" (local names:
    /// the CEB codec matches by namespace, not prefix),
    /// "row 7, column amount"; empty when the whole file is concerned.
    public var location: String
    public var reason: String

    public init(_ code: Code, at location: String = "", _ reason: String) {
        self.code = code
        self.location = location
        self.reason = reason
    }

    public var description: String { location.isEmpty ? "\(code): \(reason)" : "\(code) at \(location): \(reason)" }
}

/// One hub message read from a department file.
public struct InboundDocument: Sendable, Equatable {
    /// The hub message type, e.g. "ceb.Receipt".
    public var type: String
    /// The protobuf-serialized body.
    public var body: [UInt8]
    /// Where in the file it came from ("node 2", "line 5", "entry 3"): with the file's
    /// content hash it makes the message id, so a file read twice gives the same ids.
    public var position: String
    /// The hub message it answers, when the format carries it.
    public var correlationId: String
    /// Explicit recipients, when the format names them.
    public var recipients: [String]

    public init(type: String, body: [UInt8], position: String, correlationId: String = "", recipients: [String] = []) {
        self.type = type
        self.body = body
        self.position = position
        self.correlationId = correlationId
        self.recipients = recipients
    }
}

extension InboundDocument {
    /// A file's identity: a stable 64-bit hash of its bytes and its length, as hex.
    public static func contentId(of data: [UInt8]) -> String {
        StableHash(seed: 0, bytes: data).hex + String(data.count, radix: 16)
    }

    /// The message id of this document when `party` submits it from a file whose
    /// `contentId(of:)` is `contentId`: the same file read again gives the same ids, which
    /// the hub journals once.
    public func messageId(party: String, contentId: String) -> String {
        "\(party).\(contentId).\(position.replacingOccurrences(of: " ", with: ""))"
    }
}

/// One file to write into a department's outbox.
public struct OutboundFile: Sendable, Equatable {
    /// The file name (no directories), unique per hub message: derived from its id.
    public var name: String
    public var content: [UInt8]

    public init(name: String, content: [UInt8]) {
        self.name = name
        self.content = content
    }
}
