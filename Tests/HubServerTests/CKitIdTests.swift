import CHubClient
import Foundation
import HubProtocol
import Testing

/// `swhub_new_id`, the C kit's message ids: UUID version 7 like the Swift SDK's
/// (`TimeOrderedId`), strictly increasing within a process.
@Suite("The C kit's message ids")
struct CKitIdTests {
    static func newId() throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(SWHUB_NEW_ID_BYTES) + 1)
        try #require(swhub_new_id(&buffer) == 0)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func anIdIsAVersion7UUIDOfNow() throws {
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let id = try Self.newId()
        let after = UInt64(Date().timeIntervalSince1970 * 1000)
        #expect(id.utf8.count == Int(SWHUB_NEW_ID_BYTES))
        #expect(try #require(UUID(uuidString: id)).uuidString.lowercased() == id)
        #expect(Array(id)[14] == "7")
        #expect("89ab".contains(Array(id)[19]))
        let millisecond = try #require(TimeOrderedId.millisecond(of: id))
        #expect(millisecond >= before && millisecond <= after + 1)
    }

    @Test func idsIncreaseStrictly() throws {
        var previous = try Self.newId()
        for _ in 0..<20_000 {
            let id = try Self.newId()
            #expect(id > previous, "\(id) after \(previous)")
            previous = id
        }
    }

    @Test func idsMadeOnManyThreadsAreAllDifferent() async throws {
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { try (0..<10_000).map { _ in try Self.newId() } } }
            var all: [String] = []
            for try await part in group { all += part }
            return all
        }
        #expect(Set(ids).count == 40_000)
    }

    @Test func aNullBufferIsRefused() {
        #expect(swhub_new_id(nil) == SWHUB_ERR_ARGUMENT.rawValue)
    }
}
