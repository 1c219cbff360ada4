import Crypto
import Foundation
import GRDB

/// The journal's hash chain: every message row carries `chain` = SHA-256 (SM3 in a `crypto: sm`
/// journal, ``JournalHashing``) of the previous
/// row's chain followed by this row's fields (seq, sender, id, type, recipients,
/// correlation id, both times, body), laid out as ``RecordEncoding`` says. Changing any
/// byte of a stored message, or removing one, breaks the chain from there on;
/// ``JournalVerifier`` (`swhub verify`) finds each such row. The first row chains from 32 zero bytes.
///
/// A chain protects against changes made without recomputing every later link; whoever
/// can rewrite the whole file can rewrite the chain too, so auditors keep the head hash
/// `swhub verify` prints (an anchor) and compare it later.
public enum JournalChain {
    /// The link before the first row.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    /// The chain value of one row.
    public static func link(
        previous: [UInt8], seq: Int64, sender: String, id: String, type: String, recipients: String, correlationId: String,
        createdAtUs: Int64, journaledAtUs: Int64, body: UnsafeRawBufferPointer
    ) -> [UInt8] {
        link(
            previous: previous,
            header: RecordEncoding.header(
                seq: seq, sender: sender, id: id, type: type, recipients: recipients, correlationId: correlationId,
                createdAtUs: createdAtUs, journaledAtUs: journaledAtUs, bodyCount: body.count),
            body: body)
    }

    /// The chain value of one row whose ``RecordEncoding`` header is at hand.
    static func link(previous: [UInt8], header: [UInt8], body: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: header)
        hasher.update(bufferPointer: body)
        return hasher.finalize().withUnsafeBytes { Array($0) }
    }

    /// The chained values of one row, decoded from a row selected with
    /// `JournalSQL.selectChained` (columns 0 to 8) with GRDB's throwing decoding: a damaged
    /// value is an error, never a trap.
    struct Fields {
        var seq: Int64
        var sender: String
        var id: String
        var type: String
        var recipients: String
        var correlationId: String
        var createdAtUs: Int64
        var journaledAtUs: Int64
        var body: Data

        /// A value whose storage class is not the column's (SQLite would convert it
        /// silently: text read as an integer gives 0).
        struct Unreadable: Error, CustomStringConvertible {
            var column: String
            var found: DatabaseValue
            var description: String { "\(column) holds \(found.storage.kind), not its type" }
        }

        static let columns = [
            "seq", "sender", "msg_id", "type", "recipients", "correlation_id", "created_at_us", "journaled_at_us", "body",
        ]

        /// Decodes through `DatabaseValue`s, checking each value's storage class.
        init(_ row: Row) throws {
            let values = Array(row.databaseValues.prefix(9))
            guard values.count == 9 else {
                throw Unreadable(column: "row", found: .null)
            }
            func integer(_ index: Int) throws -> Int64 {
                guard case .int64(let value) = values[index].storage else {
                    throw Unreadable(column: Self.columns[index], found: values[index])
                }
                return value
            }
            func text(_ index: Int) throws -> String {
                guard case .string(let value) = values[index].storage else {
                    throw Unreadable(column: Self.columns[index], found: values[index])
                }
                return value
            }
            seq = try integer(0)
            sender = try text(1)
            id = try text(2)
            type = try text(3)
            recipients = try text(4)
            correlationId = try text(5)
            createdAtUs = try integer(6)
            journaledAtUs = try integer(7)
            switch values[8].storage {
            case .blob(let bytes): body = bytes
            // Text is bytes too (as the hub's reads take it): its content is checked by the chain.
            case .string(let text): body = Data(text.utf8)
            default: throw Unreadable(column: "body", found: values[8])
            }
        }

        /// The row's link, chained from `previous` (SHA-256).
        func link(previous: [UInt8]) -> [UInt8] {
            body.withUnsafeBytes { bytes in
                JournalChain.link(
                    previous: previous, seq: seq, sender: sender, id: id, type: type, recipients: recipients,
                    correlationId: correlationId, createdAtUs: createdAtUs, journaledAtUs: journaledAtUs, body: bytes)
            }
        }

        /// The row's link in the journal's suite, chained from `previous`.
        func link(previous: [UInt8], hashing: JournalHashing) throws -> [UInt8] {
            try body.withUnsafeBytes { bytes in
                try hashing.link(
                    previous: previous, seq: seq, sender: sender, id: id, type: type, recipients: recipients,
                    correlationId: correlationId, createdAtUs: createdAtUs, journaledAtUs: journaledAtUs, body: bytes)
            }
        }

        /// The row's checksum in the journal's suite.
        func checksum(hashing: JournalHashing) throws -> Int64 {
            try body.withUnsafeBytes { bytes in
                try hashing.checksum(
                    seq: seq, sender: sender, id: id, type: type, recipients: recipients, correlationId: correlationId,
                    createdAtUs: createdAtUs, journaledAtUs: journaledAtUs, body: bytes)
            }
        }
    }

    /// The link of a row selected with `JournalSQL.selectChained`.
    /// - Throws: GRDB's decoding error when a value is damaged.
    static func link(previous: [UInt8], row: Row) throws -> [UInt8] {
        try Fields(row).link(previous: previous)
    }

    /// Lower-case hex of a chain value.
    public static func hex(_ chain: [UInt8]) -> String {
        chain.map { String(format: "%02x", $0) }.joined()
    }
}

extension DatabaseValue.Storage {
    /// The storage class's name, for messages.
    var kind: String {
        switch self {
        case .null: "NULL"
        case .int64: "an integer"
        case .double: "a real"
        case .string: "text"
        case .blob: "a blob"
        }
    }
}
