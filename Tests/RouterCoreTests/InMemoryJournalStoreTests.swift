import Foundation
import HubStore
import HubTestSupport
import Logging
import Testing

/// The in-memory journal answers as the SQLite journal does: the same script against both,
/// the answers compared (times aside, each store stamps its own).
@Suite("InMemoryJournalStore against SQLiteJournalStore")
struct InMemoryJournalStoreTests {
    static func append(_ sender: String, _ id: String, type: String = "demo.Note", to recipients: [String], body: String = "b")
        -> JournalAppend
    {
        JournalAppend(
            sender: sender, id: id, type: type, recipients: recipients, correlationId: "c-\(id)", createdAtUs: 7, body: Array(body.utf8))
    }

    /// Everything the script asks, as comparable text.
    static func script(_ store: any JournalStore) throws -> [String] {
        var answers: [String] = []
        func outcomes(_ list: [AppendOutcome]) -> String {
            list.map { "\($0.seq)\($0.duplicate ? "d" : "")\($0.recipients)" }.joined(separator: " ")
        }
        func records(_ list: [JournalRecord]) -> String {
            list.map {
                "\($0.seq):\($0.sender)/\($0.id)/\($0.type)/\($0.recipients)/\($0.correlationId)/\($0.createdAtUs)/\(String(decoding: $0.body, as: UTF8.self))"
            }
            .joined(separator: " ")
        }
        answers.append(
            outcomes(
                try store.append(
                    [append("e", "1", to: ["a", "b"]), append("e", "2", to: ["b"]), append("e", "1", to: ["c"])], acks: ["a": 1])))
        answers.append(
            outcomes(
                try store.append(
                    [append("f", "1", type: "demo.Query", to: ["a"]), append("e", "2", to: ["a"], body: "other")], acks: ["a": 0, "b": 2])))
        answers.append(
            outcomes(try store.append([], acks: ["b": 1, "c": 3], progress: [ProgressMark(party: "a", kind: .acked, seq: 1, atUs: 5)])))
        answers.append(outcomes(try store.append([append("e", "3", to: []), append("f", "2", to: ["b", "a"], body: "")], acks: [:])))
        answers.append("acks \(try store.ackPositions().sorted { $0.key < $1.key })")
        answers.append("head \(try store.headSeq())")
        for (recipient, after, limit) in [("a", 0, 10), ("a", 1, 1), ("b", 0, 2), ("b", 5, 10), ("a", 0, 0), ("z", 0, 10)]
            as [(String, UInt64, Int)]
        {
            let result = try store.fetch(recipient: recipient, after: after, limit: limit)
            answers.append("fetch \(recipient) \(after) \(limit): \(records(result.records)) head \(result.headSeq)")
            answers.append("pending \(recipient) \(after): \(try store.pendingCount(recipient: recipient, after: after))")
        }
        for types in [["demo.Query"], ["demo.Note"], [], ["demo.Query", "demo.Note"]] {
            let result = try store.fetch(recipient: "a", after: 0, limit: 10, types: types)
            answers.append("fetch a by \(types): \(records(result.records)) head \(result.headSeq)")
            answers.append("records \(types): \(records(try store.records(types: types, after: 1, limit: 2)))")
        }
        answers.append("seq 2: \(records(try store.record(seq: 2).map { [$0] } ?? []))")
        answers.append("seq 9: \(try store.record(seq: 9) == nil)")
        answers.append("f/2: \(records(try store.record(sender: "f", id: "2").map { [$0] } ?? []))")
        answers.append("g/1: \(try store.record(sender: "g", id: "1") == nil)")
        answers.append("prefix: \(records(try store.records(sender: "e", idPrefix: "")))")
        answers.append("prefix 2: \(records(try store.records(sender: "e", idPrefix: "2")))")
        answers.append("first seq from 0: \(try store.firstSeq(journaledAtOrAfter: 0))")
        answers.append("first seq far ahead: \(try store.firstSeq(journaledAtOrAfter: Int64.max))")
        return answers
    }

    @Test func answersAsTheSQLiteJournalDoes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("RouterCoreTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sqlite = try SQLiteJournalStore(
            path: directory.appendingPathComponent("journal.sqlite").path,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let expected = try Self.script(sqlite)
        let actual = try Self.script(InMemoryJournalStore())
        #expect(actual.count == expected.count)
        for (got, want) in zip(actual, expected) {
            #expect(got == want)
        }
    }

    @Test func injectedFaultsFailOneCall() throws {
        let store = InMemoryJournalStore()
        store.inject(.nextAppend)
        #expect(throws: StoreError.self) { try store.append([Self.append("e", "1", to: ["a"])], acks: [:]) }
        #expect(try store.append([Self.append("e", "1", to: ["a"])], acks: [:]).map(\.seq) == [1])
        store.inject(.nextFetch)
        #expect(throws: StoreError.self) { try store.fetch(recipient: "a", after: 0, limit: 1) }
        #expect(try store.fetch(recipient: "a", after: 0, limit: 1).records.count == 1)
    }
}
