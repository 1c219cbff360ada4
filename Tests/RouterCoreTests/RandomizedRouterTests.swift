import HubProtocol
import HubTestSupport
import Testing

/// Random traffic against the router, with the delivery invariants checked after every step:
///
/// 1. On every connection, DELIVER seqs strictly increase, and each names a message journaled
///    for that party.
/// 2. A connection never holds more unacknowledged DELIVERs than its credit.
/// 3. Once every peer reads again and acknowledges, each party has received every message
///    journaled for it (at least once), and its last connection everything after its WELCOME.
@Suite("RouterCore: randomized traffic")
struct RandomizedRouterTests {
    /// SplitMix64: a small seeded generator, so a failing seed can be replayed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    struct Receiver {
        var peer: HarnessPeer
        var credit: Int
        var acked: UInt64
    }

    static let parties = ["enterprise", "bank", "customs", "post"]

    @Test(arguments: 1...20 as ClosedRange<UInt64>)
    func invariantsHoldUnderRandomTraffic(seed: UInt64) throws {
        var random = SeededGenerator(state: seed)
        let hub = try TestConfig.harness(hub: ["max_pending: 20"])
        var receivers: [String: Receiver] = [:]
        var everyPeer: [String: [HarnessPeer]] = [:]
        let senders = Dictionary(uniqueKeysWithValues: Self.parties.map { ($0, hub.connect($0)) })
        var nextId = 0

        func connect(_ party: String) {
            let peer = hub.connect(party)
            let credit = Int.random(in: 1...8, using: &random)
            hub.hello(peer, credit: UInt32(credit))
            receivers[party] = Receiver(peer: peer, credit: credit, acked: peer.welcomes.first?.ackedSeq ?? 0)
            everyPeer[party, default: []].append(peer)
        }

        var checked: [ObjectIdentifier: Int] = [:]  // deliveries already checked, per connection
        func check() throws {
            for (party, peers) in everyPeer {
                for peer in peers {
                    let deliveries = peer.deliveries
                    var index = checked[ObjectIdentifier(peer)] ?? 0
                    while index < deliveries.count {
                        let seq = deliveries[index].seq
                        if index > 0 && deliveries[index - 1].seq >= seq {
                            Issue.record("seed \(seed): \(party) got \(deliveries[index - 1].seq) then \(seq)")
                        }
                        if try hub.store.record(seq: seq)?.recipients.contains(party) != true {
                            Issue.record("seed \(seed): \(seq) is not for \(party)")
                        }
                        index += 1
                    }
                    checked[ObjectIdentifier(peer)] = index
                }
                if let receiver = receivers[party] {
                    let outstanding = receiver.peer.deliveries.reversed().prefix { $0.seq > receiver.acked }.count
                    if outstanding > receiver.credit {
                        Issue.record("seed \(seed): \(party) holds \(outstanding) with credit \(receiver.credit)")
                    }
                }
            }
        }

        for party in Self.parties { connect(party) }
        for _ in 0..<400 {
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<45:
                let sender = Self.parties.randomElement(using: &random)!
                let recipients = Self.parties.filter { _ in Bool.random(using: &random) }
                hub.turn {
                    for _ in 0..<Int.random(in: 1...4, using: &random) {
                        nextId += 1
                        hub.submit(senders[sender]!, id: "m-\(nextId % 150)", type: "demo.Query", to: recipients)
                    }
                }
            case 45..<75:
                let party = Self.parties.randomElement(using: &random)!
                guard var receiver = receivers[party], let last = receiver.peer.deliveries.last, last.seq > receiver.acked else { continue }
                let seq = receiver.peer.deliveries.reversed().prefix { $0.seq > receiver.acked }.randomElement(using: &random)!.seq
                hub.ack(receiver.peer, seq)
                receiver.acked = seq
                receivers[party] = receiver
            case 75..<85:
                let party = Self.parties.randomElement(using: &random)!
                receivers[party]?.peer.queue = Bool.random(using: &random) ? .full : .open
            case 85..<90:
                let party = Self.parties.randomElement(using: &random)!
                receivers[party]?.peer.queue = .gone
                connect(party)
            default:
                for receiver in receivers.values { hub.ping(receiver.peer) }
                hub.advance(by: .milliseconds(Int64.random(in: 1...30, using: &random)))
            }
            try check()
        }

        // Everyone reads again and acknowledges until nothing moves.
        for party in Self.parties { receivers[party]?.peer.queue = .open }
        for _ in 0..<10_000 {
            var moved = false
            for party in Self.parties {
                guard var receiver = receivers[party], let last = receiver.peer.deliveries.last, last.seq > receiver.acked else { continue }
                hub.ack(receiver.peer, last.seq)
                receiver.acked = last.seq
                receivers[party] = receiver
                moved = true
            }
            for receiver in receivers.values { hub.ping(receiver.peer) }
            hub.advance(by: .milliseconds(25))
            if !moved && !hub.core.hasParkedSessions { break }
        }
        try check()
        for party in Self.parties {
            let journaled = try hub.store.fetch(recipient: party, after: 0, limit: 100_000).records.map(\.seq)
            let received = Set(everyPeer[party, default: []].flatMap(\.deliveredSeqs))
            #expect(
                Set(journaled).isSubset(of: received), "seed \(seed): \(party) never got \(Set(journaled).subtracting(received).sorted())")
            let last = try #require(receivers[party])
            let from = last.peer.welcomes.first?.ackedSeq ?? 0
            #expect(last.peer.deliveredSeqs == journaled.filter { $0 > from }, "seed \(seed): \(party)'s last connection")
        }
    }
}
