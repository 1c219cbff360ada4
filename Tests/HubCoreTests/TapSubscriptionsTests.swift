import HubCore
import Testing

@Suite("TapSubscriptions")
struct TapSubscriptionsTests {
    static func subscribe(_ topic: String) -> [UInt8] { [1] + Array(topic.utf8) }
    static func cancel(_ topic: String) -> [UInt8] { [0] + Array(topic.utf8) }

    @Test func aPartyMaySubscribeOnlyUnderItsOwnPrefix() {
        var subs = TapSubscriptions()
        #expect(subs.handle(Self.subscribe("customs/"), party: "customs") == .subscribe(channel: Array("customs/\0".utf8)))
        #expect(
            subs.handle(Self.subscribe("customs/ceb.Order/enterprise/"), party: "customs")
                == .subscribe(channel: Array("customs/ceb.Order/enterprise/\0".utf8)))
        for (topic, party) in [
            ("bank/", "customs"), ("", "customs"), ("customs", "customs"), ("custom", "customs"),
            ("customs2/", "customs"), ("customs/", nil), ("/x", "customs"), ("customs/a\0", "customs"),
        ] as [(String, String?)] {
            guard case .refuse = subs.handle(Self.subscribe(topic), party: party) else {
                Issue.record("'\(topic)' by \(party ?? "nobody") was not refused")
                continue
            }
        }
        guard case .refuse = subs.handle([7, 1, 2], party: "customs") else {
            Issue.record("a message that is not a subscription was not refused")
            return
        }
        #expect(subs.refusedCount == 9)
        #expect(subs.subscriptions(of: "customs") == 2)
        #expect(subs.observers.keys.sorted() == ["customs"])
        #expect(subs.subscriptions(of: "bank") == 0)
        // The refused prefix with a zero byte is cancelled without applying anything.
        #expect(subs.handle(Self.cancel("customs/a\0"), party: "customs") == .ignore)
        #expect(subs.subscriptions(of: "customs") == 2)
    }

    /// A channel (prefix + 0x00) is reached by the subscribers of exactly that prefix: XPUB
    /// matches a message whose first frame starts with an applied channel, and no channel
    /// starts with another, while the subscriber's own SUB filter (the prefix) matches it.
    @Test func aChannelMatchesOnlyItsOwnPrefix() {
        let prefixes = ["customs/", "customs/ceb.Order/", "customs/ceb.Order/enterprise/", "customs/c"].map { Array($0.utf8) }
        for a in prefixes {
            let channel = TapSubscriptions.channel(a)
            #expect(channel.starts(with: a))
            for b in prefixes where b != a {
                #expect(!channel.starts(with: TapSubscriptions.channel(b)), "\(a) reaches the subscribers of \(b)")
            }
        }
    }

    @Test func explicitCancellationsUndoOnlyTheSubscribersOwnTopics() {
        var subs = TapSubscriptions()
        _ = subs.handle(Self.subscribe("customs/"), party: "customs")
        _ = subs.handle(Self.subscribe("customs/"), party: "customs")
        _ = subs.handle(Self.subscribe("customs/"), party: "bank")  // refused
        // bank cannot cancel customs' subscription
        #expect(subs.handle(Self.cancel("customs/"), party: "bank") == .ignore)
        #expect(subs.subscriptions(of: "customs") == 2)
        #expect(subs.handle(Self.cancel("customs/"), party: "customs") == .unsubscribe(channel: Array("customs/\0".utf8)))
        #expect(subs.subscriptions(of: "customs") == 1)
        #expect(subs.handle(Self.cancel("customs/"), party: "customs") == .unsubscribe(channel: Array("customs/\0".utf8)))
        #expect(subs.observers.isEmpty)
        // a cancellation of something never subscribed changes nothing
        #expect(subs.handle(Self.cancel("customs/"), party: "customs") == .ignore)
        #expect(subs.subscriptions(of: "customs") == 0)
    }

    @Test func aDepartedSubscribersCancellationsNeverLeaveALiveObserverWithoutCopies() {
        var subs = TapSubscriptions()
        _ = subs.handle(Self.subscribe("customs/"), party: "customs")  // applied, customs' connection
        _ = subs.handle(Self.subscribe("customs/"), party: "bank")  // refused, bank's connection
        // bank's connection leaves: libzmq reports "cancel customs/" without a User-Id.
        #expect(subs.handle(Self.cancel("customs/"), party: nil) == .ignore)
        #expect(subs.subscriptions(of: "customs") == 1)
        // then customs' connection leaves.
        #expect(subs.handle(Self.cancel("customs/"), party: nil) == .ignore)
        #expect(subs.subscriptions(of: "customs") == 0)
        #expect(subs.observers.isEmpty)
    }

    @Test func topicsNameObserverTypeSenderAndRecipient() {
        let topic = TapSubscriptions.topic(observer: "auditor", type: "ceb.Order", sender: "enterprise", recipient: "customs")
        #expect(String(decoding: topic, as: UTF8.self) == "auditor/ceb.Order/enterprise/customs")
        #expect(TapSubscriptions.observer(ofTopic: topic) == "auditor")
        #expect(TapSubscriptions.observer(ofTopic: Array("auditor".utf8)) == nil)
    }
}
