import HubCore
import Testing

/// A model of the hub around one `DeliverySession<String>`: a journal of the party's seqs
/// (with gaps, as other parties' messages take seqs too), a journal reader that answers
/// fetches in two steps (read, then report, so messages can be journaled in between), a
/// peer that acknowledges, and an I/O layer that performs actions in order like
/// `Router.perform` does: when a send fails it calls `sendFailed(seq:)` and drops the rest.
///
/// It checks the session's invariants after every event and records an issue (once) when
/// one breaks.
struct Harness {
    typealias Session = DeliverySession<String>

    var session: Session
    var rng: SplitMix64
    let initialAcked: UInt64
    /// Chance of a send failing (peer queue full), per mille.
    let sendFailurePerMille: UInt64
    /// The party's seqs in the journal, increasing.
    var journalSeqs: [UInt64] = []
    /// The journal's head over all parties.
    var lastSeq: UInt64 = 0
    /// A fetch the session asked for and the reader has not read yet.
    var requested: (after: UInt64, limit: Int)?
    /// A fetch read from the journal and not yet reported to the session.
    var read: (records: [UInt64], head: UInt64)?
    /// The limit of the last fetch asked for.
    var fetchLimit: Int?
    /// Seqs really sent to the peer, in order.
    var delivered: [UInt64] = []
    /// The peer's cumulative acknowledgement.
    var peerAcked: UInt64
    /// After `sendFailed`, until `resume()`.
    var parked = false
    var steps = 0
    var busy = false
    // What happened, so tests can tell that the interesting paths were taken.
    var overflows = 0
    var wentLive = 0
    var sendFailures = 0
    var fetchFailures = 0
    /// Short fetches that did not go live because a newer message was announced meanwhile.
    var refetchesAfterRace = 0
    var failed = false

    var configuration: String { "credit \(session.credit), queueLimit \(session.queueLimit), acked \(initialAcked)" }

    init(credit: Int, queueLimit: Int, seed: UInt64, preexisting: Int, sendFailurePerMille: UInt64) {
        var rng = SplitMix64(seed: seed)
        var journalSeqs: [UInt64] = []
        var lastSeq: UInt64 = 0
        for _ in 0..<preexisting {
            lastSeq += 1 + rng.next() % 3
            journalSeqs.append(lastSeq)
        }
        // Resume somewhere inside the existing journal, or at its start.
        var acked: UInt64 = 0
        if !journalSeqs.isEmpty && rng.next() % 3 != 0 {
            acked = journalSeqs[Int(rng.next() % UInt64(journalSeqs.count))]
        }
        self.rng = rng
        self.journalSeqs = journalSeqs
        self.lastSeq = lastSeq
        self.sendFailurePerMille = sendFailurePerMille
        initialAcked = acked
        peerAcked = acked
        session = Session(party: "customs", credit: credit, queueLimit: queueLimit, ackedSeq: acked)
    }

    /// Random credit, queue limit, pre-existing journal and failure rate.
    init(seed: UInt64) {
        var pick = SplitMix64(seed: seed ^ 0xA5A5)
        let credit = [1, 2, 3, 5, 8, 13][Int(pick.next() % 6)]
        let queueLimit = [1, 2, 4, 16][Int(pick.next() % 4)]
        self.init(
            credit: credit, queueLimit: queueLimit, seed: seed, preexisting: Int(pick.next() % 40),
            sendFailurePerMille: [0, 20, 60][Int(pick.next() % 3)])
    }

    // MARK: - events

    mutating func start() {
        perform(session.start(), mayFail: true)
        checkInvariants()
    }

    /// A new message for the party is committed; the session hears of it if `announce`.
    mutating func journal(announce: Bool = true, mayFail: Bool = true) {
        lastSeq += 1 + rng.next() % 3
        journalSeqs.append(lastSeq)
        guard announce else { return }
        let wasFullLiveQueue = session.mode == .live && session.queued == session.queueLimit
        perform(session.journaled(seq: lastSeq, payload: "m\(lastSeq)"), mayFail: mayFail)
        if wasFullLiveQueue && session.queued == 0 && session.mode != .live { overflows += 1 }
        checkInvariants()
    }

    /// The reader reads the requested fetch from the journal as it is now.
    mutating func readFetch() {
        guard let request = requested else { return }
        requested = nil
        read = (Array(journalSeqs.filter { $0 > request.after }.prefix(request.limit)), lastSeq)
    }

    /// The reader reports what it read.
    mutating func reportFetch() {
        guard let result = read else { return }
        read = nil
        let wasLive = session.mode == .live
        let short = result.records.count < (fetchLimit ?? 0)
        let announcedNewer = journalSeqs.last.map { $0 > result.head } ?? false
        perform(session.fetched(result.records.map { (seq: $0, payload: "m\($0)") }, headSeq: result.head), mayFail: true)
        if !wasLive && session.mode == .live { wentLive += 1 }
        if short && announcedNewer && !parked {
            refetchesAfterRace += 1
            if session.mode == .live { fail("went live although seq \(journalSeqs.last ?? 0) > head \(result.head) was announced") }
        }
        checkInvariants()
    }

    /// Reads and reports the outstanding fetch at once, if there is one.
    mutating func answerFetch() {
        readFetch()
        reportFetch()
    }

    /// The read of the outstanding fetch failed.
    mutating func failFetch() {
        guard requested != nil else { return }
        requested = nil
        session.sendFailed(seq: .max)
        fetchFailures += 1
        parked = true
        checkInvariants()
    }

    /// The peer acknowledges up to a random point at or below what it received.
    mutating func ackSome() {
        guard let last = delivered.last, last > peerAcked else { return }
        let target = peerAcked + 1 + rng.next() % (last - peerAcked)
        ack(target)
    }

    mutating func ack(_ seq: UInt64) {
        guard let actions = session.acknowledged(seq) else {
            fail("acknowledged(\(seq)) refused although \(seq) <= last delivered \(delivered.last ?? 0)")
            return
        }
        peerAcked = max(peerAcked, seq)
        perform(actions, mayFail: true)
        checkInvariants()
    }

    /// An ACK beyond anything sent: refused, nothing changes.
    mutating func badAck() {
        let before = snapshot
        let seq = session.sentUpTo + 1 + rng.next() % 5
        if session.acknowledged(seq) != nil { fail("acknowledged(\(seq)) beyond sentUpTo \(before.sentUpTo) accepted") }
        if snapshot != before { fail("a refused ACK changed the session: \(before) -> \(snapshot)") }
    }

    /// An ACK at or below the position: a no-op.
    mutating func oldAck() {
        let before = snapshot
        let seq = peerAcked == 0 ? 0 : rng.next() % (peerAcked + 1)
        guard let actions = session.acknowledged(seq) else {
            fail("old acknowledged(\(seq)) refused")
            return
        }
        if !actions.isEmpty { fail("old acknowledged(\(seq)) produced \(actions.count) actions") }
        if snapshot != before { fail("an old ACK changed the session") }
    }

    mutating func resume() {
        guard parked else { return }
        parked = false
        perform(session.resume(), mayFail: true)
        checkInvariants()
    }

    /// One random event. Traffic comes in phases, busy (the peer falls behind, the queue
    /// overflows) and quiet (the session catches up and goes live).
    mutating func randomEvent() {
        steps += 1
        if steps % 150 == 0 { busy = rng.next() % 2 == 0 }
        if rng.next() % 100 < (busy ? 45 : 8) {
            journal()
            return
        }
        switch rng.next() % 100 {
        case 0..<25: readFetch()
        case 25..<50: reportFetch()
        case 50..<65: ackSome()
        case 65..<80: if let last = delivered.last, last > peerAcked { ack(last) }
        case 80..<84: badAck()
        case 84..<87: oldAck()
        case 87..<97: resume()
        default: failFetch()
        }
    }

    /// No new messages: resume, answer fetches and acknowledge everything until the session
    /// is live with nothing outstanding.
    mutating func drain() {
        for _ in 0..<1_000_000 where !failed {
            if parked {
                parked = false
                perform(session.resume(), mayFail: false)
            } else if requested != nil {
                readFetch()
            } else if read != nil {
                guard let result = read else { break }
                read = nil
                perform(session.fetched(result.records.map { (seq: $0, payload: "m\($0)") }, headSeq: result.head), mayFail: false)
            } else if let last = delivered.last, last > peerAcked {
                guard let actions = session.acknowledged(last) else {
                    fail("acknowledged(\(last)) refused while draining")
                    return
                }
                peerAcked = last
                perform(actions, mayFail: false)
            } else if session.mode == .live {
                return
            } else {
                fail("stuck: \(session.mode), unacknowledged \(session.unacknowledged), nothing outstanding")
                return
            }
            checkInvariants()
        }
    }

    // MARK: - the I/O layer

    mutating func perform(_ actions: [Session.Action], mayFail: Bool) {
        for action in actions {
            switch action {
            case .fetch(let after, let limit):
                if requested != nil || read != nil { fail("a second fetch while one is outstanding") }
                let last = delivered.last ?? initialAcked
                if after != last { fail("fetch after \(after), but the last seq really sent is \(last)") }
                let unacknowledged = delivered.filter { $0 > session.acked }.count
                let free = session.credit - unacknowledged
                if limit != min(free, 1000) || limit <= 0 {
                    fail("fetch limit \(limit) with \(free) credit free")
                }
                requested = (after, limit)
                fetchLimit = limit
            case .send(let seq, let payload):
                if requested != nil || read != nil { fail("send(\(seq)) while a fetch is outstanding") }
                if payload != "m\(seq)" { fail("send(\(seq)) with the payload \(payload)") }
                if mayFail && rng.next() % 1000 < sendFailurePerMille {
                    session.sendFailed(seq: seq)
                    sendFailures += 1
                    parked = true
                    return  // Router.perform drops the remaining actions
                }
                let last = delivered.last ?? initialAcked
                if seq <= last { fail("send(\(seq)) after \(last): not increasing (resent or out of order)") }
                if !journalSeqs.contains(seq) { fail("send(\(seq)) of a seq not journaled for this party") }
                delivered.append(seq)
                let unacknowledged = delivered.filter { $0 > session.acked }.count
                if unacknowledged > session.credit { fail("\(unacknowledged) unacknowledged > credit \(session.credit)") }
            }
        }
    }

    // MARK: - invariants

    struct Snapshot: Equatable, CustomStringConvertible {
        var acked: UInt64
        var sentUpTo: UInt64
        var unacknowledged: Int
        var queued: Int
        var mode: Session.Mode
        var description: String { "acked \(acked) sentUpTo \(sentUpTo) unack \(unacknowledged) queued \(queued) \(mode)" }
    }

    var snapshot: Snapshot {
        Snapshot(
            acked: session.acked, sentUpTo: session.sentUpTo, unacknowledged: session.unacknowledged,
            queued: session.queued, mode: session.mode)
    }

    mutating func checkInvariants() {
        let unacknowledged = delivered.filter { $0 > session.acked }.count
        if session.unacknowledged != unacknowledged {
            fail("unacknowledged \(session.unacknowledged), but \(unacknowledged) delivered seqs are above acked \(session.acked)")
        }
        if session.unacknowledged > session.credit { fail("unacknowledged \(session.unacknowledged) > credit \(session.credit)") }
        if session.queued > session.queueLimit { fail("queued \(session.queued) > queueLimit \(session.queueLimit)") }
        if session.acked != peerAcked { fail("acked \(session.acked), the peer acknowledged \(peerAcked)") }
        if session.sentUpTo != (delivered.last ?? initialAcked) {
            fail("sentUpTo \(session.sentUpTo), last really sent \(delivered.last ?? initialAcked)")
        }
        let fetchOutstanding = requested != nil || read != nil
        switch session.mode {
        case .live:
            if fetchOutstanding || parked { fail("live with a fetch outstanding or parked") }
        case .catchingUp(fetching: true):
            if !fetchOutstanding && !parked { fail("fetching, but no fetch is outstanding") }
        case .catchingUp(fetching: false):
            // Otherwise nothing would ever wake the session up.
            if session.unacknowledged < session.credit { fail("catching up idle with credit free: stuck") }
            if fetchOutstanding { fail("not fetching, but a fetch is outstanding") }
        }
        if session.queued > 0 && (session.mode != .live || session.unacknowledged < session.credit) {
            fail("\(session.queued) queued with \(session.mode), \(session.unacknowledged) unacknowledged")
        }
    }

    mutating func fail(_ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard !failed else { return }
        failed = true
        Issue.record("\(message) [\(configuration); \(snapshot); delivered \(delivered.suffix(8))]", sourceLocation: sourceLocation)
    }
}
