import Crypto
import Foundation
import GRDB

/// The journal's hash chain: every message row carries `chain` = SHA-256 of the previous
/// row's chain followed by this row's fields (seq, sender, id, type, recipients,
/// correlation id, both times, body), each length-prefixed. Changing any byte of a stored
/// message, or removing one, breaks the chain from there on; `JournalInspector.verify`
/// finds the first such row. The first row chains from 32 zero bytes.
///
/// A chain protects against changes made without recomputing every later link; whoever
/// can rewrite the whole file can rewrite the chain too, so auditors keep the head hash
/// `swhub verify` prints (an anchor) and compare it later.
enum JournalChain {
    /// The link before the first row.
    static let genesis = [UInt8](repeating: 0, count: 32)

    /// The chain value of one row.
    static func link(
        previous: [UInt8], seq: Int64, sender: String, id: String, type: String, recipients: String, correlationId: String,
        createdAtUs: Int64, journaledAtUs: Int64, body: UnsafeRawBufferPointer
    ) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        func integer(_ value: Int64) {
            withUnsafeBytes(of: value.bigEndian) { hasher.update(bufferPointer: $0) }
        }
        func text(_ value: String) {
            let bytes = Array(value.utf8)
            integer(Int64(bytes.count))
            hasher.update(data: bytes)
        }
        integer(seq)
        text(sender)
        text(id)
        text(type)
        text(recipients)
        text(correlationId)
        integer(createdAtUs)
        integer(journaledAtUs)
        integer(Int64(body.count))
        hasher.update(bufferPointer: body)
        return Array(hasher.finalize())
    }

    /// The link of a row selected with `JournalSQL.selectChained`.
    static func link(previous: [UInt8], row: Row) -> [UInt8] {
        let body: [UInt8] = (row[8] as Data?).map { [UInt8]($0) } ?? []
        return body.withUnsafeBytes { bytes in
            link(
                previous: previous, seq: row[0], sender: row[1], id: row[2], type: row[3], recipients: row[4],
                correlationId: row[5], createdAtUs: row[6], journaledAtUs: row[7], body: bytes)
        }
    }

    /// Lower-case hex of a chain value.
    static func hex(_ chain: [UInt8]) -> String {
        chain.map { String(format: "%02x", $0) }.joined()
    }
}
