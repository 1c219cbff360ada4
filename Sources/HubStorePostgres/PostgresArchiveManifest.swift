import Foundation
import HubStore
import NIOCore
import PostgresNIO

/// The archive manifest in PostgreSQL's `archives` table (schema v3), read and written as
/// ``ArchiveManifest`` does in a SQLite journal: the same columns, the same entries.
enum PostgresArchiveManifest {
    static let columns = """
        first_seq, last_seq, file, directory, bytes, sha256, link_before, link_after, first_journaled_at_us,
        last_journaled_at_us, type_newest, sealed_at_us, deleted_at_us
        """

    /// Whether the database has the table (one no hub of schema v3 has opened has none).
    static func exists(_ link: PostgresLink) throws -> Bool {
        try link.rows("SELECT to_regclass('archives') IS NOT NULL").first.map { try $0.decode(Bool.self) } ?? false
    }

    /// Every entry, in seq order; none when the table is missing (`checked`) or empty.
    static func entries(_ link: PostgresLink, checkTable: Bool = false) throws -> [ArchiveManifest.Entry] {
        if checkTable, !(try exists(link)) { return [] }
        return try link.rows("SELECT \(columns) FROM archives ORDER BY first_seq").map { row in
            let r = row.makeRandomAccess()
            let types =
                (try? JSONDecoder().decode([String: Int64].self, from: Data(try r[10].decode(String.self).utf8))) ?? [:]
            func bytes(_ index: Int) throws -> [UInt8] { Array(try r[index].decode(ByteBuffer.self).readableBytesView) }
            return ArchiveManifest.Entry(
                firstSeq: try PostgresRecords.seq(r[0].decode(Int64.self)), lastSeq: try PostgresRecords.seq(r[1].decode(Int64.self)),
                file: try r[2].decode(String.self), directory: try r[3].decode(String.self), bytes: try r[4].decode(Int64.self),
                sha256: try bytes(5), linkBefore: try bytes(6), linkAfter: try bytes(7), firstJournaledAtUs: try r[8].decode(Int64.self),
                lastJournaledAtUs: try r[9].decode(Int64.self), typeNewest: types, sealedAtUs: try r[11].decode(Int64.self),
                deletedAtUs: try r[12].decode(Int64?.self))
        }
    }

    /// The last archived seq (0 when nothing is archived).
    static func archivedUpTo(_ link: PostgresLink) throws -> UInt64 {
        try link.rows("SELECT last_seq FROM archives ORDER BY first_seq DESC LIMIT 1").first.map {
            try PostgresRecords.seq($0.decode(Int64.self))
        } ?? 0
    }

    static func insert(_ entry: ArchiveManifest.Entry, _ link: PostgresLink) throws {
        var binds = PostgresBindings()
        binds.append(try PostgresRecords.storable(entry.firstSeq, what: "archived seq", code: .writeFailed))
        binds.append(try PostgresRecords.storable(entry.lastSeq, what: "archived seq", code: .writeFailed))
        binds.append(entry.file)
        binds.append(entry.directory)
        binds.append(entry.bytes)
        binds.append(ByteBuffer(bytes: entry.sha256))
        binds.append(ByteBuffer(bytes: entry.linkBefore))
        binds.append(ByteBuffer(bytes: entry.linkAfter))
        binds.append(entry.firstJournaledAtUs)
        binds.append(entry.lastJournaledAtUs)
        binds.append(String(decoding: try JSONEncoder().encode(entry.typeNewest), as: UTF8.self))
        binds.append(entry.sealedAtUs)
        try link.execute(
            "INSERT INTO archives (\(columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL)", binds)
    }
}
