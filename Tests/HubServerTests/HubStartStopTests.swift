import Foundation
import HubClient
import HubCore
import HubServer
import HubStore
import Logging
import Testing
import ZeroMQ

/// `Hub.start()` and `Hub.stop()` are idempotent, and `stop()` before `start()` returns:
/// each part's thread loop is stopped once, at once if it never started.
@Suite("Hub start and stop", .timeLimit(.minutes(2)))
struct HubStartStopTests {
    @Test func stopBeforeStartReturnsAndALaterStartServesNothing() async throws {
        let files = try TestHub(parties: [.init(id: "platform")], tapQueue: 10)
        let hub = try TapDropTests.makeHub(files)
        try await withTimeout(.seconds(30), "stop() before start()") { try await onThread { hub.stop() } }
        hub.start()  // after stop: does nothing
        try await withTimeout(.seconds(30), "a second stop()") { try await onThread { hub.stop() } }
    }

    @Test func startTwiceIsHarmlessAndStopTwiceReturns() async throws {
        let files = try TestHub(parties: [.init(id: "platform"), .init(id: "customs", subscribes: ["demo.Note"])], tapQueue: 10)
        let hub = try TapDropTests.makeHub(files)
        hub.start()
        hub.start()
        #expect(try hub.boundEndpoint() == files.endpoint)
        #expect(try hub.tapEndpoint() == files.tapEndpoint)
        let platform = try files.client("platform")
        let receipt = try await platform.submit(type: "demo.Note", body: Array("once".utf8), id: "once")
        #expect(receipt.seq == 1)
        platform.close()
        try await withTimeout(.seconds(30), "stop()") { try await onThread { hub.stop() } }
        try await withTimeout(.seconds(30), "a second stop()") { try await onThread { hub.stop() } }
        #expect(try files.openJournal().headSeq() == 1)
    }
}
