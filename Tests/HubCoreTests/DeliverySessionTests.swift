import HubCore
import Testing

/// An action with its payload, comparable in tests.
enum Step: Equatable, CustomStringConvertible {
    case send(UInt64)
    case fetch(after: UInt64, limit: Int)

    var description: String {
        switch self {
        case .send(let seq): "send(\(seq))"
        case .fetch(let after, let limit): "fetch(after: \(after), limit: \(limit))"
        }
    }
}

/// Converts actions, checking that each send carries the payload made for its seq.
func steps(_ actions: [DeliverySession<String>.Action], sourceLocation: SourceLocation = #_sourceLocation) -> [Step] {
    actions.map { action in
        switch action {
        case .send(let seq, let payload):
            #expect(payload == "m\(seq)", "payload of seq \(seq)", sourceLocation: sourceLocation)
            return .send(seq)
        case .fetch(let after, let limit):
            return .fetch(after: after, limit: limit)
        }
    }
}

func records(_ seqs: [UInt64]) -> [(seq: UInt64, payload: String)] {
    seqs.map { (seq: $0, payload: "m\($0)") }
}

@Suite("DeliverySession")
struct DeliverySessionTests {
    typealias Session = DeliverySession<String>

    /// A session that has caught up with an empty journal and is live.
    static func live(credit: Int, queueLimit: Int = 100, acked: UInt64 = 0) -> Session {
        var session = Session(party: "customs", credit: credit, queueLimit: queueLimit, ackedSeq: acked)
        _ = session.start()
        _ = session.fetched([], headSeq: acked)
        return session
    }

    // MARK: - start and catching up

    @Test func startFetchesAfterAckedWithCreditAsLimit() {
        var session = Session(party: "customs", credit: 10, queueLimit: 20, ackedSeq: 5)
        #expect(session.mode == .catchingUp(fetching: false))
        #expect(session.acked == 5)
        #expect(session.sentUpTo == 5)
        #expect(steps(session.start()) == [.fetch(after: 5, limit: 10)])
        #expect(session.mode == .catchingUp(fetching: true))
        #expect(session.party == "customs")
    }

    @Test func fetchLimitIsCappedAt1000() {
        var session = Session(party: "p", credit: 5000, queueLimit: 10, ackedSeq: 0)
        #expect(steps(session.start()) == [.fetch(after: 0, limit: 1000)])
    }

    @Test func creditAndQueueLimitAreAtLeastOne() {
        var session = Session(party: "p", credit: 0, queueLimit: -3, ackedSeq: 0)
        #expect(session.credit == 1)
        #expect(session.queueLimit == 1)
        #expect(steps(session.start()) == [.fetch(after: 0, limit: 1)])
    }

    @Test func fetchedRecordsAreSentInOrderThenLive() {
        var session = Session(party: "p", credit: 10, queueLimit: 20, ackedSeq: 5)
        _ = session.start()
        #expect(steps(session.fetched(records([6, 8, 9]), headSeq: 12)) == [.send(6), .send(8), .send(9)])
        #expect(session.mode == .live, "a short fetch read to the head")
        #expect(session.sentUpTo == 9)
        #expect(session.unacknowledged == 3)
        #expect(session.acked == 5)
    }

    @Test func fullFetchKeepsCatchingUpAndFetchesMoreWhenCreditFrees() {
        var session = Session(party: "p", credit: 3, queueLimit: 20, ackedSeq: 0)
        _ = session.start()
        #expect(steps(session.fetched(records([1, 2, 3]), headSeq: 10)) == [.send(1), .send(2), .send(3)])
        #expect(session.mode == .catchingUp(fetching: false), "full batch: more may follow; no credit left to fetch")
        #expect(steps(session.acknowledged(2) ?? []) == [.fetch(after: 3, limit: 2)])
        #expect(session.mode == .catchingUp(fetching: true))
        #expect(steps(session.fetched(records([5, 7]), headSeq: 10)) == [.send(5), .send(7)])
        #expect(session.mode == .catchingUp(fetching: false))
        #expect(steps(session.acknowledged(7) ?? []) == [.fetch(after: 7, limit: 3)])
        #expect(steps(session.fetched(records([10]), headSeq: 10)) == [.send(10)])
        #expect(session.mode == .live)
    }

    @Test func sendsOfAFullBatchComeBeforeTheNextFetch() {
        var session = Session(party: "p", credit: 2500, queueLimit: 10, ackedSeq: 0)
        #expect(steps(session.start()) == [.fetch(after: 0, limit: 1000)])
        let batch = Array(UInt64(1)...1000)
        let result = steps(session.fetched(records(batch), headSeq: 5000))
        #expect(result == batch.map(Step.send) + [.fetch(after: 1000, limit: 1000)])
        #expect(session.unacknowledged == 1000)
        #expect(
            steps(session.fetched(records(Array(UInt64(1001)...2000)), headSeq: 5000)).last
                == .fetch(after: 2000, limit: 500), "limit = free credit")
    }

    @Test func acknowledgementsWhileFetchingDoNotFetchAgain() {
        var session = Session(party: "p", credit: 2, queueLimit: 5, ackedSeq: 0)
        _ = session.start()
        _ = session.fetched(records([1, 2]), headSeq: 9)
        #expect(steps(session.acknowledged(1) ?? []) == [.fetch(after: 2, limit: 1)])
        #expect(session.acknowledged(2).map { steps($0) } == [], "one fetch at a time")
        #expect(session.mode == .catchingUp(fetching: true))
    }

    /// A live message announced during a fetch and newer than what the fetch saw must not be
    /// skipped by going live: the session fetches again instead.
    @Test func liveMessageNewerThanFetchHeadCausesAnotherFetch() {
        var session = Session(party: "p", credit: 10, queueLimit: 20, ackedSeq: 5)
        _ = session.start()
        #expect(steps(session.journaled(seq: 12, payload: "m12")) == [], "not live yet")
        #expect(steps(session.fetched(records([6, 8]), headSeq: 10)) == [.send(6), .send(8), .fetch(after: 8, limit: 8)])
        #expect(session.mode == .catchingUp(fetching: true))
        #expect(steps(session.fetched(records([12]), headSeq: 12)) == [.send(12)])
        #expect(session.mode == .live)
        #expect(steps(session.journaled(seq: 13, payload: "m13")) == [.send(13)])
    }

    @Test func liveMessageCoveredByTheFetchHeadAllowsGoingLive() {
        var session = Session(party: "p", credit: 10, queueLimit: 20, ackedSeq: 5)
        _ = session.start()
        #expect(steps(session.journaled(seq: 9, payload: "m9")) == [])
        #expect(steps(session.fetched(records([6, 9]), headSeq: 9)) == [.send(6), .send(9)])
        #expect(session.mode == .live)
        #expect(steps(session.journaled(seq: 9, payload: "m9")) == [], "a late announcement of a fetched seq")
    }

    // MARK: - live delivery and credit

    @Test func liveSendsWhileCreditAllowsQueuesBeyondAndDrainsInOrder() {
        var session = Self.live(credit: 2, queueLimit: 10)
        #expect(steps(session.journaled(seq: 1, payload: "m1")) == [.send(1)])
        #expect(steps(session.journaled(seq: 3, payload: "m3")) == [.send(3)])
        #expect(steps(session.journaled(seq: 4, payload: "m4")) == [])
        #expect(steps(session.journaled(seq: 6, payload: "m6")) == [])
        #expect(steps(session.journaled(seq: 7, payload: "m7")) == [])
        #expect(session.unacknowledged == 2)
        #expect(session.queued == 3)
        #expect(steps(session.acknowledged(1) ?? []) == [.send(4)])
        #expect(steps(session.acknowledged(4) ?? []) == [.send(6), .send(7)])
        #expect(session.queued == 0)
        #expect(session.unacknowledged == 2)
        #expect(steps(session.journaled(seq: 8, payload: "m8")) == [])
        #expect(steps(session.acknowledged(7) ?? []) == [.send(8)])
        #expect(steps(session.journaled(seq: 9, payload: "m9")) == [.send(9)])
        #expect(session.mode == .live)
    }

    @Test func aNewLiveMessageNeverOvertakesTheQueue() {
        var session = Self.live(credit: 1, queueLimit: 10)
        _ = session.journaled(seq: 1, payload: "m1")
        _ = session.journaled(seq: 2, payload: "m2")
        #expect(steps(session.acknowledged(1) ?? []) == [.send(2)])
        _ = session.journaled(seq: 3, payload: "m3")
        _ = session.journaled(seq: 4, payload: "m4")
        #expect(steps(session.acknowledged(2) ?? []) == [.send(3)])
        #expect(steps(session.journaled(seq: 5, payload: "m5")) == [])
        #expect(steps(session.acknowledged(3) ?? []) == [.send(4)])
        #expect(steps(session.acknowledged(4) ?? []) == [.send(5)])
    }

    // MARK: - acknowledgements

    @Test func ackBeyondWhatWasSentIsNil() {
        var session = Self.live(credit: 5, acked: 10)
        _ = session.journaled(seq: 11, payload: "m11")
        #expect(session.acknowledged(12) == nil)
        #expect(session.acknowledged(.max) == nil)
        #expect(session.acked == 10)
        #expect(session.unacknowledged == 1)
        #expect(session.acknowledged(11) != nil)
        #expect(session.unacknowledged == 0)
    }

    @Test func ackBeforeAnySendIsNilAboveAckedAndEmptyAtOrBelow() {
        var session = Session(party: "p", credit: 5, queueLimit: 5, ackedSeq: 10)
        _ = session.start()
        #expect(session.acknowledged(11) == nil)
        #expect(session.acknowledged(10).map { steps($0) } == [])
        #expect(session.acknowledged(3).map { steps($0) } == [])
    }

    @Test func oldAckIsANoOp() {
        var session = Self.live(credit: 5)
        for seq: UInt64 in [1, 2, 3] { _ = session.journaled(seq: seq, payload: "m\(seq)") }
        #expect(session.acknowledged(2).map { steps($0) } == [])
        #expect(session.acked == 2)
        #expect(session.acknowledged(2).map { steps($0) } == [])
        #expect(session.acknowledged(1).map { steps($0) } == [])
        #expect(session.acked == 2, "the position never moves back")
        #expect(session.unacknowledged == 1)
    }

    /// Seqs of one party have gaps; an ACK between two sent seqs acknowledges the lower ones.
    @Test func ackBetweenSentSeqs() {
        var session = Session(party: "p", credit: 5, queueLimit: 5, ackedSeq: 0)
        _ = session.start()
        _ = session.fetched(records([6, 8, 9]), headSeq: 9)
        #expect(session.acknowledged(7).map { steps($0) } == [])
        #expect(session.acked == 7)
        #expect(session.unacknowledged == 2)
    }

    // MARK: - duplicates

    @Test func duplicatesAreIgnored() {
        var session = Session(party: "p", credit: 5, queueLimit: 5, ackedSeq: 100)
        _ = session.start()
        #expect(steps(session.journaled(seq: 50, payload: "m50")) == [], "below the acked position")
        #expect(
            steps(session.fetched(records([99, 100, 101]), headSeq: 101)) == [.send(101)],
            "a fetch never resends what was acknowledged")
        #expect(session.mode == .live)
        #expect(steps(session.journaled(seq: 101, payload: "m101")) == [])
        #expect(steps(session.journaled(seq: 100, payload: "m100")) == [])
        #expect(steps(session.journaled(seq: 102, payload: "m102")) == [.send(102)])
        #expect(steps(session.journaled(seq: 102, payload: "m102")) == [])
        #expect(session.unacknowledged == 2)
    }

    // MARK: - queue overflow

    @Test func queueOverflowDropsTheQueueAndCatchesUpAfterTheLastSentSeq() {
        var session = Self.live(credit: 1, queueLimit: 2)
        #expect(steps(session.journaled(seq: 1, payload: "m1")) == [.send(1)])
        #expect(steps(session.journaled(seq: 2, payload: "m2")) == [])
        #expect(steps(session.journaled(seq: 3, payload: "m3")) == [])
        #expect(session.queued == 2)
        #expect(steps(session.journaled(seq: 4, payload: "m4")) == [], "no credit free to fetch yet")
        #expect(session.queued == 0)
        #expect(session.mode == .catchingUp(fetching: false))
        #expect(session.sentUpTo == 1)
        #expect(steps(session.journaled(seq: 5, payload: "m5")) == [], "not live any more")
        #expect(steps(session.acknowledged(1) ?? []) == [.fetch(after: 1, limit: 1)])
        #expect(steps(session.fetched(records([2]), headSeq: 5)) == [.send(2)])
        #expect(steps(session.acknowledged(2) ?? []) == [.fetch(after: 2, limit: 1)])
        #expect(steps(session.fetched(records([3]), headSeq: 5)) == [.send(3)])
        #expect(steps(session.acknowledged(3) ?? []) == [.fetch(after: 3, limit: 1)])
        #expect(steps(session.fetched(records([4]), headSeq: 5)) == [.send(4)])
        #expect(steps(session.acknowledged(4) ?? []) == [.fetch(after: 4, limit: 1)])
        #expect(steps(session.fetched(records([5]), headSeq: 5)) == [.send(5)])
        #expect(steps(session.acknowledged(5) ?? []) == [.fetch(after: 5, limit: 1)])
        #expect(steps(session.fetched([], headSeq: 5)) == [])
        #expect(session.mode == .live)
        #expect(steps(session.journaled(seq: 6, payload: "m6")) == [.send(6)])
    }

    @Test func queueOverflowLosesNothing() {
        var harness = Harness(credit: 2, queueLimit: 3, seed: 1, preexisting: 0, sendFailurePerMille: 0)
        harness.start()
        harness.drain()
        #expect(harness.session.mode == .live)
        for _ in 0..<20 { harness.journal() }
        #expect(harness.overflows > 0, "the queue overflowed")
        #expect(harness.delivered.count == 2, "credit 2, nothing acknowledged yet")
        harness.drain()
        #expect(!harness.failed)
        #expect(harness.delivered == harness.journalSeqs, "every seq delivered, in order, without gap")
    }

    /// Overflow while acknowledgements keep coming: the journal is read back from the last
    /// really sent seq, with nothing skipped at the switch back to live.
    @Test func repeatedOverflowsWithTrafficLoseNothing() {
        var harness = Harness(credit: 3, queueLimit: 2, seed: 99, preexisting: 5, sendFailurePerMille: 0)
        harness.start()
        for round in 0..<600 {
            let slowPeer = (round / 100) % 2 == 0  // phases: falling behind, then catching up
            harness.journal()
            if slowPeer {
                harness.journal()
                harness.answerFetch()
                if round % 3 == 0 { harness.ackSome() }
            } else {
                for _ in 0..<4 {
                    harness.answerFetch()
                    harness.ackSome()
                    if let last = harness.delivered.last, last > harness.peerAcked { harness.ack(last) }
                }
            }
        }
        #expect(harness.overflows >= 2, "overflowed in more than one slow phase")
        #expect(harness.wentLive >= 3, "went live again after catching up")
        harness.drain()
        #expect(harness.overflows > 0)
        #expect(!harness.failed)
        #expect(harness.delivered == harness.journalSeqs.filter { $0 > harness.initialAcked })
    }

    // MARK: - failed sends

    @Test func sendFailedTakesBackThatSeqAndLaterOnes() {
        var session = Self.live(credit: 5)
        for seq: UInt64 in [1, 2, 4, 5] { _ = session.journaled(seq: seq, payload: "m\(seq)") }
        session.sendFailed(seq: 4)
        #expect(session.unacknowledged == 2)
        #expect(session.sentUpTo == 2)
        #expect(session.mode == .catchingUp(fetching: true), "parked until resume()")
        #expect(steps(session.journaled(seq: 6, payload: "m6")) == [], "parked: nothing sent")
        #expect(session.acknowledged(4) == nil, "4 was never really sent")
        #expect(session.acknowledged(2).map { steps($0) } == [], "parked: no fetch on ack")
        #expect(steps(session.resume()) == [.fetch(after: 2, limit: 5)])
        #expect(steps(session.fetched(records([4, 5, 6]), headSeq: 6)) == [.send(4), .send(5), .send(6)])
        #expect(session.mode == .live)
    }

    @Test func sendFailedOfTheFirstOutstandingFallsBackToAcked() {
        var session = Self.live(credit: 5, acked: 10)
        _ = session.journaled(seq: 11, payload: "m11")
        _ = session.journaled(seq: 12, payload: "m12")
        _ = session.journaled(seq: 13, payload: "m13")
        _ = session.acknowledged(11)
        session.sendFailed(seq: 12)
        #expect(session.sentUpTo == 11)
        #expect(session.unacknowledged == 0)
        #expect(steps(session.resume()) == [.fetch(after: 11, limit: 5)])
    }

    @Test func sendFailedInTheMiddleOfAFetchedBatch() {
        var session = Session(party: "p", credit: 10, queueLimit: 5, ackedSeq: 0)
        _ = session.start()
        _ = session.fetched(records([1, 2, 3, 4]), headSeq: 4)
        session.sendFailed(seq: 3)
        #expect(session.sentUpTo == 2)
        #expect(session.unacknowledged == 2)
        #expect(steps(session.resume()) == [.fetch(after: 2, limit: 8)])
        #expect(steps(session.fetched(records([3, 4]), headSeq: 4)) == [.send(3), .send(4)])
        #expect(session.mode == .live)
    }

    @Test func sendFailedInLiveModeDropsTheQueue() {
        var session = Self.live(credit: 1, queueLimit: 10)
        _ = session.journaled(seq: 1, payload: "m1")
        _ = session.journaled(seq: 2, payload: "m2")
        _ = session.journaled(seq: 3, payload: "m3")
        #expect(session.queued == 2)
        session.sendFailed(seq: 1)
        #expect(session.queued == 0)
        #expect(session.sentUpTo == 0)
        #expect(session.unacknowledged == 0)
        #expect(steps(session.resume()) == [.fetch(after: 0, limit: 1)])
        #expect(steps(session.fetched(records([1]), headSeq: 3)) == [.send(1)])
        #expect(session.mode == .catchingUp(fetching: false))
    }

    /// A failed fetch is reported as `sendFailed(seq: .max)`: nothing taken back, retried on resume.
    @Test func failedFetchIsRetriedOnResume() {
        var session = Session(party: "p", credit: 4, queueLimit: 5, ackedSeq: 0)
        _ = session.start()
        _ = session.fetched(records([1]), headSeq: 9)
        // The next fetch (after 1) fails.
        session.sendFailed(seq: .max)
        #expect(session.sentUpTo == 1)
        #expect(session.unacknowledged == 1)
        #expect(steps(session.resume()) == [.fetch(after: 1, limit: 3)])
    }

    @Test func resumeWhileLiveDoesNothing() {
        var session = Self.live(credit: 2)
        #expect(steps(session.resume()) == [])
        #expect(session.mode == .live)
    }

    // MARK: - memory

    /// Payloads of messages that were sent and acknowledged are not kept: the session's
    /// memory is bounded by credit + queueLimit messages, also for a recipient that keeps
    /// exactly pace with the journal (so the live queue never runs empty).
    @Test func sentPayloadsAreReleased() {
        final class Payload: Sendable {}
        final class WeakRef {
            weak var payload: Payload?
            init(_ payload: Payload) { self.payload = payload }
        }
        var refs: [WeakRef] = []
        var session = DeliverySession<Payload>(party: "p", credit: 1, queueLimit: 2, ackedSeq: 0)
        _ = session.start()
        _ = session.fetched([], headSeq: 0)
        func journal(_ seq: UInt64) {
            let payload = Payload()
            refs.append(WeakRef(payload))
            _ = session.journaled(seq: seq, payload: payload)
        }
        journal(1)
        journal(2)
        journal(3)
        for seq: UInt64 in 4...200 {
            _ = session.acknowledged(seq - 3)  // sends seq - 2 from the queue
            journal(seq)  // queued: the queue never runs empty
        }
        #expect(session.queued == 2)
        #expect(session.unacknowledged == 1)
        let alive = refs.filter { $0.payload != nil }.count
        #expect(
            alive <= session.credit + session.queueLimit,
            "\(alive) payloads still held for 1 outstanding + 2 queued messages")
    }

    // MARK: - property: random interleavings

    @Test(arguments: Array(UInt64(1)...60))
    func randomInterleavingsKeepTheInvariants(seed: UInt64) {
        var harness = Harness(seed: seed)
        harness.start()
        for _ in 0..<1500 where !harness.failed { harness.randomEvent() }
        harness.drain()
        #expect(!harness.failed, "seed \(seed): \(harness.configuration)")
        #expect(
            harness.delivered == harness.journalSeqs.filter { $0 > harness.initialAcked },
            "seed \(seed): every journaled seq after the acked position is delivered once, in order")
        #expect(harness.session.mode == .live)
        harness.journal(mayFail: false)
        #expect(harness.delivered.last == harness.journalSeqs.last, "live at the end: sent at once")
    }

    /// The random runs are not vacuous: together they overflow queues, go live again, fail
    /// sends and fetches, and hit the race of a message announced during a short fetch.
    @Test func randomInterleavingsReachTheInterestingPaths() {
        var total = (overflows: 0, wentLive: 0, sendFailures: 0, fetchFailures: 0, races: 0, maxQueued: 0)
        for seed in UInt64(1)...60 {
            var harness = Harness(seed: seed)
            harness.start()
            for _ in 0..<1500 where !harness.failed {
                harness.randomEvent()
                total.maxQueued = max(total.maxQueued, harness.session.queued)
            }
            total.overflows += harness.overflows
            total.wentLive += harness.wentLive
            total.sendFailures += harness.sendFailures
            total.fetchFailures += harness.fetchFailures
            total.races += harness.refetchesAfterRace
        }
        #expect(total.overflows >= 20)
        #expect(total.wentLive >= 50)
        #expect(total.sendFailures >= 20)
        #expect(total.fetchFailures >= 20)
        #expect(total.races >= 20)
        #expect(total.maxQueued >= 4)
    }
}

/// A seeded random number generator (SplitMix64), so failures reproduce.
struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("DeliverySession: failed fetch")
struct DeliverySessionFetchFailureTests {
    @Test func aFailedFetchParksUntilResumeThenFetchesAgain() {
        var session = DeliverySession<Int>(party: "p", credit: 10, queueLimit: 20, ackedSeq: 5)
        guard case .fetch(after: 5, limit: 10)? = session.start().first else {
            Issue.record("start must fetch after the acked seq")
            return
        }
        session.fetchFailed()
        #expect(session.mode == .catchingUp(fetching: true))
        #expect(session.journaled(seq: 9, payload: 9).isEmpty)  // parked: nothing goes out
        let actions = session.resume()
        guard case .fetch(after: 5, limit: 10)? = actions.first else {
            Issue.record("resume must fetch again from the same place, got \(actions)")
            return
        }
    }
}
