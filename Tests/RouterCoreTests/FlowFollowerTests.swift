import FlowSamples
import HubCore
import HubProtocol
import HubRouting
import HubStore
import HubTestSupport
import Testing

/// The flows on two hub nodes sharing a journal: the leader journals what they emit, the
/// follower runs the same engine without journaling and takes over what was left owed.
@Suite("Flows on a follower node")
struct FlowFollowerTests {
    static func registration() throws -> [UInt8] {
        try SampleFilings.registration(
            copNo: "R-1", socialCreditCode: FlowsTests.platformCode, customsCode: "", name: "杭州平台",
            roles: [.platform, .ecommerceEnterprise], bankCode: "BKCHCNBJ"
        ).serializedBytes()
    }

    @Test func aFollowerJournalsNothingUntilItLeadsThenWhatWasOwed() throws {
        let store = InMemoryJournalStore()
        let follower = try RouterHarness(config: FlowsTests.config(), store: store)
        follower.shareJournal()
        follower.flowLeadership(false)
        let platform = follower.connect("platform")
        follower.hello(platform)
        follower.submit(platform, id: "reg-1", type: "reg.Registration", body: try Self.registration())
        #expect(platform.accepted.map(\.seq) == [1])
        // Only the filing is journaled: the shares and the pending feedback are owed.
        #expect(try store.headSeq() == 1)
        #expect(follower.core.followerOwed.map(\.id).contains("share:platform:reg-1"))
        // The old leader journaled one share before it died: that one is no longer owed.
        let owed = follower.core.followerOwed
        let first = try #require(owed.first)
        _ = try store.append(
            [
                JournalAppend(
                    sender: HubConfig.hubParty, id: first.id, type: first.type, recipients: first.recipients,
                    correlationId: first.correlationId, createdAtUs: 1, body: first.body)
            ], acks: [:])
        follower.journaledElsewhere([try #require(try store.record(seq: 2))])
        #expect(follower.core.followerOwed.count == owed.count - 1)
        // Taking over journals the rest, each once.
        follower.flowLeadership(true)
        #expect(follower.core.followerOwed.isEmpty)
        let hubIds = try (1...store.headSeq()).compactMap { try store.record(seq: $0) }.filter { $0.sender == HubConfig.hubParty }.map(\.id)
        #expect(Set(hubIds) == Set(owed.map(\.id)))
        #expect(hubIds.count == Set(hubIds).count)
        #expect(try FlowsTests.feedbacks(platform).first?.state == .pending)
    }

    @Test func aFollowerAdmitsAsTheLeaderDoes() throws {
        let follower = try RouterHarness(config: FlowsTests.config())
        follower.shareJournal()
        follower.flowLeadership(false)
        let platform = follower.connect("platform")
        let order: [UInt8] = try SampleFilings.declaration(1).order.serializedBytes()
        follower.submit(platform, id: "early", type: "ceb.Order", body: order)
        #expect(platform.errors.last?.code == HubErrorCode.notRegistered.rawValue)
    }

    @Test func theLeaderSnapshotsEachMinute() throws {
        let store = InMemoryJournalStore()
        let leader = try RouterHarness(config: FlowsTests.config(), store: store)
        leader.shareJournal()
        #expect(leader.flowSnapshotDue() == nil, "not yet due")
        let platform = leader.connect("platform")
        leader.hello(platform)
        leader.submit(platform, id: "reg-1", type: "reg.Registration", body: try Self.registration())
        leader.advance(by: RouterCore.flowSnapshotInterval)
        let snapshot = try #require(leader.flowSnapshotDue())
        #expect(snapshot.seq == 1, "the flows read the registration; their own shares are not theirs to read")
        #expect(snapshot.owed.isEmpty, "everything the flows emitted is committed")
        let decoded = try FlowSnapshot(decoding: snapshot.encoded())
        #expect(decoded.seq == 1)
        // Restored, the engine owes nothing more for the registration: the journal has its shares.
        var restored = try #require(leader.core.flows).restored(from: decoded)
        let owed = try RouterCore.rebuild(&restored, from: store, after: decoded.seq, owed: decoded.owed)
        #expect(owed.isEmpty)
        #expect(leader.flowSnapshotDue() == nil, "one a minute")
        // A follower takes none.
        let follower = try RouterHarness(config: FlowsTests.config(), store: store)
        follower.shareJournal()
        follower.flowLeadership(false)
        follower.advance(by: RouterCore.flowSnapshotInterval)
        #expect(follower.flowSnapshotDue() == nil)
    }
}
