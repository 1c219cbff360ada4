/// The delivery state of one receiving session, as a value: events in, actions out.
///
/// A session starts by catching up from the journal after the party's acknowledged seq, then
/// switches to live delivery of newly journaled messages once it has read up to the journal
/// head. It never has more than `credit` unacknowledged deliveries outstanding and never
/// queues more than `queueLimit` live messages: beyond that it drops its queue and catches
/// up from the journal again, so a slow or dead recipient costs bounded memory and never
/// loses journaled data. Each seq is sent at most once per session and in increasing order.
public struct DeliverySession<Payload: Sendable>: Sendable {
    /// What the I/O layer must do.
    public enum Action: Sendable {
        /// Send this journaled message to the session's peer.
        case send(seq: UInt64, payload: Payload)
        /// Read at most `limit` of the party's messages with seq > `after` from the journal and
        /// report them with `fetched(_:headSeq:)`.
        case fetch(after: UInt64, limit: Int)
    }

    /// Where the session is.
    public enum Mode: Sendable, Equatable {
        /// Reading from the journal; `fetching` while a fetch is outstanding.
        case catchingUp(fetching: Bool)
        /// Up to date: new messages are sent as they are journaled.
        case live
    }

    /// The party this session delivers to.
    public let party: String
    /// Most unacknowledged deliveries at once.
    public let credit: Int
    /// Most live messages held while waiting for credit.
    public let queueLimit: Int
    /// Cumulative acknowledgement position.
    @inlinable public var acked: UInt64 { ackedSeq }
    /// Highest seq sent on this session (or `acked` before any send).
    @inlinable public var sentUpTo: UInt64 { sentUpToSeq }
    /// Catching up from the journal or live.
    @inlinable public var mode: Mode { state }

    // The state is `@usableFromInline` and the methods `@inlinable` so that the router
    // (HubRouting) gets them specialized for its payload: unspecialized, every call looked
    // up generic and tuple type metadata at run time (13 % of the router thread's time in a
    // 1 → 5 fan-out profile).
    @usableFromInline var ackedSeq: UInt64
    @usableFromInline var sentUpToSeq: UInt64
    @usableFromInline var state: Mode = .catchingUp(fetching: false)
    @usableFromInline var outstanding: [UInt64] = []  // sent, not yet acked, increasing
    @usableFromInline var outstandingHead = 0
    @usableFromInline var queue: [(seq: UInt64, payload: Payload?)] = []  // sent entries keep no payload
    @usableFromInline var queueHead = 0
    @usableFromInline var highestLiveSeen: UInt64 = 0
    @usableFromInline var lastFetchLimit = 0

    /// A new session resuming after `ackedSeq`.
    @inlinable public init(party: String, credit: Int, queueLimit: Int, ackedSeq: UInt64) {
        self.party = party
        self.credit = max(1, credit)
        self.queueLimit = max(1, queueLimit)
        self.ackedSeq = ackedSeq
        sentUpToSeq = ackedSeq
    }

    /// Deliveries sent and not yet acknowledged.
    @inlinable public var unacknowledged: Int { outstanding.count - outstandingHead }
    /// Live messages held in memory.
    @inlinable public var queued: Int { queue.count - queueHead }

    /// Begins the session: the first fetch.
    @inlinable public mutating func start() -> [Action] { pump() }

    /// A message for this party was journaled.
    @inlinable public mutating func journaled(seq: UInt64, payload: Payload) -> [Action] {
        var actions: [Action] = []
        journaled(seq: seq, payload: payload, into: &actions)
        return actions
    }

    /// A message for this party was journaled: as `journaled(seq:payload:)`, the actions
    /// appended to `actions` (a fan-out gathers one session's sends of a commit in one list
    /// instead of one list per message).
    @inlinable public mutating func journaled(seq: UInt64, payload: Payload, into actions: inout [Action]) {
        guard seq > sentUpTo else { return }
        highestLiveSeen = max(highestLiveSeen, seq)
        guard mode == .live else { return }
        if queued == 0 && unacknowledged < credit {
            actions.append(markSent(seq: seq, payload: payload))
            return
        }
        if queued < queueLimit {
            queue.append((seq, payload))
            return
        }
        // Too far behind to hold in memory: forget the queue, read it back from the journal.
        sentUpToSeq = lastSent
        clearQueue()
        state = .catchingUp(fetching: false)
        actions.append(contentsOf: pump())
    }

    /// Messages up to `seq` may have been journaled for this party without being announced
    /// (another writer journaled them and they could not be handed over): they are read
    /// from the journal before anything newer is sent.
    @inlinable public mutating func headAdvanced(to seq: UInt64) -> [Action] {
        guard seq > sentUpTo else { return [] }
        highestLiveSeen = max(highestLiveSeen, seq)
        guard mode == .live else { return [] }
        sentUpToSeq = lastSent
        clearQueue()
        state = .catchingUp(fetching: false)
        return pump()
    }

    /// The peer acknowledged everything up to `seq`. Returns nil if `seq` was never sent.
    @inlinable public mutating func acknowledged(_ seq: UInt64) -> [Action]? {
        guard seq <= sentUpTo else { return nil }
        guard seq > acked else { return [] }
        ackedSeq = seq
        while outstandingHead < outstanding.count && outstanding[outstandingHead] <= seq { outstandingHead += 1 }
        if outstandingHead > 1024 && outstandingHead * 2 > outstanding.count {
            outstanding.removeFirst(outstandingHead)
            outstandingHead = 0
        }
        return pump()
    }

    /// A fetch finished: `records` in seq order, read when the journal's head was `headSeq`.
    @inlinable public mutating func fetched(_ records: [(seq: UInt64, payload: Payload)], headSeq: UInt64) -> [Action] {
        var actions: [Action] = []
        for record in records where record.seq > sentUpTo {
            actions.append(markSent(seq: record.seq, payload: record.payload))
        }
        if records.count < lastFetchLimit && highestLiveSeen <= headSeq {
            // Read to the end, and nothing newer was announced meanwhile: go live.
            state = .live
        } else {
            state = .catchingUp(fetching: false)
        }
        return actions + pump()
    }

    /// Sending `seq` failed because the peer's queue is full: it and everything after it
    /// count as not sent; the session catches up from the journal when `resume()` is called.
    @inlinable public mutating func sendFailed(seq: UInt64) {
        while outstanding.count > outstandingHead, let last = outstanding.last, last >= seq { outstanding.removeLast() }
        sentUpToSeq = max(acked, lastSent)
        clearQueue()
        state = .catchingUp(fetching: true)  // parked until resume()
        lastFetchLimit = 0
    }

    /// A fetch failed (the journal could not be read): the session waits for `resume()`.
    @inlinable public mutating func fetchFailed() {
        state = .catchingUp(fetching: true)  // parked until resume()
        lastFetchLimit = 0
    }

    /// Retries after `sendFailed`, or a fetch that failed.
    @inlinable public mutating func resume() -> [Action] {
        if case .catchingUp(fetching: true) = mode { state = .catchingUp(fetching: false) }
        return pump()
    }

    @inlinable var lastSent: UInt64 { outstanding.count > outstandingHead ? outstanding[outstanding.count - 1] : acked }

    @inlinable mutating func markSent(seq: UInt64, payload: Payload) -> Action {
        outstanding.append(seq)
        sentUpToSeq = seq
        return .send(seq: seq, payload: payload)
    }

    @inlinable mutating func clearQueue() {
        queue.removeAll(keepingCapacity: false)
        queueHead = 0
    }

    /// Uses free credit: drains the live queue, or asks for the next journal batch.
    @inlinable mutating func pump() -> [Action] {
        var actions: [Action] = []
        switch mode {
        case .live:
            while queueHead < queue.count && unacknowledged < credit {
                let next = queue[queueHead]
                queue[queueHead].payload = nil  // hold no payload beyond the queue's limit
                queueHead += 1
                if let payload = next.payload { actions.append(markSent(seq: next.seq, payload: payload)) }
            }
            if queueHead == queue.count {
                clearQueue()
            } else if queueHead >= 1024 && queueHead * 2 >= queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
        case .catchingUp(fetching: false):
            let free = credit - unacknowledged
            if free > 0 {
                lastFetchLimit = min(free, 1000)
                state = .catchingUp(fetching: true)
                actions.append(.fetch(after: sentUpTo, limit: lastFetchLimit))
            }
        case .catchingUp(fetching: true):
            break
        }
        return actions
    }
}
