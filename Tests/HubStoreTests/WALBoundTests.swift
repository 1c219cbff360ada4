import Foundation
import Testing

@testable import HubStore

/// The `-wal` past its bound (``WALCheckpointer/walLimitBytes``) is rewound, not emptied.
@Suite("The WAL's bound")
struct WALBoundTests {
    /// The writer checkpoints a `-wal` past its bound right after the commit that crossed it
    /// (RESTART): the next commit writes the log from its start and cuts the file back to
    /// the bound, so later commits overwrite blocks the file has (a file emptied to zero
    /// bytes would grow again with each commit).
    @Test func aWALPastItsBoundIsRewoundAndKeepsItsBlocks() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            // 72 MiB of bodies in commits of 8 MiB: one of them takes the -wal past 64 MiB.
            for round in 0..<9 {
                _ = try store.append((0..<8).map { message(id: "big-\(round)-\($0)", bodySize: 1 << 20) }, acks: [:])
            }
            _ = try store.append([message(id: "small")], acks: [:])
            #expect(try store.headSeq() == 73)
            #expect(try Self.size(journal.path + "-wal") == WALCheckpointer.walLimitBytes)
            #expect(try store.record(seq: 1)?.id == "big-0-0")
        }
    }

    static func size(_ path: String) throws -> Int64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
    }
}
