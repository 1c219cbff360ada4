import HubStore
import Synchronization

/// A journal in memory with the semantics of `SQLiteJournalStore`: seqs from 1 in append
/// order, `(sender, id)` journaled once (a duplicate, earlier or in the same batch, gets the
/// original's seq, recipients and time), acknowledgement positions that never move back,
/// progress marks kept only when they pass every earlier mark of their party and kind, and
/// the replay lookups. Nothing is durable; every call answers at once.
///
/// Safe to call from any thread (one lock around the state).
public final class InMemoryJournalStore: JournalStore {
    /// A failure the store reports instead of answering.
    public enum Fault: Sendable, Equatable {
        /// The next append throws `StoreError(writeFailed)`, journaling nothing.
        case nextAppend
        /// The next fetch (of either kind) throws `StoreError(readFailed)`.
        case nextFetch
        /// The next fetch throws `StoreError(corrupt)` without a seq, as SQLite's
        /// `SQLITE_CORRUPT` for a malformed page does.
        case nextFetchDamagedPage
    }

    struct State: Sendable {
        var records: [JournalRecord] = []  // index = seq - 1
        var bySenderAndId: [String: [String: UInt64]] = [:]
        var inbox: [String: [UInt64]] = [:]  // per recipient, increasing seqs
        var acks: [String: UInt64] = [:]
        var progress: [ProgressMark] = []
        var lastJournaledAtUs: Int64 = 0
        var faults: Set<Fault> = []
        var damaged: Set<UInt64> = []
        var appends = 0
        var flowSnapshots: [UInt64: [UInt8]] = [:]
    }

    let state = Mutex(State())
    private let clock: @Sendable () -> Int64

    /// An empty journal.
    ///
    /// - Parameters:
    ///   - clock: The wall clock stamped as `journaled_at_us`, microseconds since the epoch.
    public init(clock: @escaping @Sendable () -> Int64 = { WallClock.nowMicroseconds() }) {
        self.clock = clock
    }

    /// Makes the next call of a kind fail.
    ///
    /// - Parameters:
    ///   - fault: Which call fails.
    public func inject(_ fault: Fault) {
        state.withLock { _ = $0.faults.insert(fault) }
    }

    /// Marks a record as damaged: reads stop before it as the SQLite store's do when a record
    /// fails its check (a fetch returns the records before it with ``FetchResult/damaged``; a
    /// read of records by type throws `StoreError(corrupt)` with its seq), until ``repair(seq:)``.
    ///
    /// - Parameters:
    ///   - seq: The record's seq.
    public func damage(seq: UInt64) {
        state.withLock { _ = $0.damaged.insert(seq) }
    }

    /// Makes a record damaged by ``damage(seq:)`` read intact again.
    ///
    /// - Parameters:
    ///   - seq: The record's seq.
    public func repair(seq: UInt64) {
        state.withLock { _ = $0.damaged.remove(seq) }
    }

    /// Every progress mark logged, in order.
    public var progressMarks: [ProgressMark] { state.withLock { $0.progress } }

    /// How many appends (group commits) succeeded.
    public var appendCount: Int { state.withLock { $0.appends } }

    public func append(_ batch: [JournalAppend], acks: [String: UInt64], progress: [ProgressMark]) throws -> [AppendOutcome] {
        if batch.isEmpty && acks.isEmpty && progress.isEmpty { return [] }
        let now = clock()
        return try state.withLock { state in
            if state.faults.remove(.nextAppend) != nil {
                throw StoreError(code: .writeFailed, reason: "injected append failure")
            }
            let journaledAtUs = max(now, state.lastJournaledAtUs)
            var outcomes: [AppendOutcome] = []
            outcomes.reserveCapacity(batch.count)
            for entry in batch {
                if let seq = state.bySenderAndId[entry.sender]?[entry.id] {
                    let original = state.records[Int(seq - 1)]
                    outcomes.append(
                        AppendOutcome(seq: seq, duplicate: true, recipients: original.recipients, journaledAtUs: original.journaledAtUs))
                    continue
                }
                let seq = UInt64(state.records.count + 1)
                state.records.append(
                    JournalRecord(
                        seq: seq, sender: entry.sender, id: entry.id, type: entry.type, recipients: entry.recipients,
                        correlationId: entry.correlationId, createdAtUs: entry.createdAtUs, journaledAtUs: journaledAtUs,
                        body: entry.body.withUnsafeBytes { Array($0) }))
                state.bySenderAndId[entry.sender, default: [:]][entry.id] = seq
                for recipient in Set(entry.recipients) { state.inbox[recipient, default: []].append(seq) }
                outcomes.append(AppendOutcome(seq: seq, duplicate: false, recipients: entry.recipients, journaledAtUs: journaledAtUs))
            }
            if !batch.isEmpty && outcomes.contains(where: { !$0.duplicate }) { state.lastJournaledAtUs = journaledAtUs }
            state.acks.merge(acks, uniquingKeysWith: max)
            for mark in progress {
                let passes = state.progress.allSatisfy { $0.party != mark.party || $0.kind != mark.kind || $0.seq < mark.seq }
                if passes { state.progress.append(mark) }
            }
            state.appends += 1
            return outcomes
        }
    }

    public func saveAcks(_ acks: [String: UInt64]) throws {
        state.withLock { $0.acks.merge(acks, uniquingKeysWith: max) }
    }

    public func ackPositions() throws -> [String: UInt64] {
        state.withLock { $0.acks }
    }

    public func fetch(recipient: String, after: UInt64, limit: Int) throws -> FetchResult {
        try fetch(recipient: recipient, after: after, limit: limit, types: [])
    }

    public func pendingCount(recipient: String, after: UInt64) throws -> Int {
        state.withLock { state in (state.inbox[recipient] ?? []).filter { $0 > after }.count }
    }

    public func fetch(recipient: String, after: UInt64, limit: Int, types: [String]) throws -> FetchResult {
        let wanted = Set(types)
        return try state.withLock { state in
            if state.faults.remove(.nextFetch) != nil {
                throw StoreError(code: .readFailed, reason: "injected fetch failure")
            }
            if state.faults.remove(.nextFetchDamagedPage) != nil {
                throw StoreError(code: .corrupt, reason: "injected: database disk image is malformed")
            }
            let head = UInt64(state.records.count)
            guard limit > 0, after < head else { return FetchResult(records: [], headSeq: head) }
            var records: [JournalRecord] = []
            for seq in state.inbox[recipient] ?? [] where seq > after {
                let record = state.records[Int(seq - 1)]
                guard wanted.isEmpty || wanted.contains(record.type) else { continue }
                if state.damaged.contains(seq) {
                    let damage = StoreError(code: .corrupt, reason: "record seq \(seq) failed its check", seq: seq)
                    return FetchResult(records: records, headSeq: head, damaged: damage)
                }
                records.append(record)
                if records.count == limit { break }
            }
            return FetchResult(records: records, headSeq: head)
        }
    }

    public func firstSeq(journaledAtOrAfter us: Int64) throws -> UInt64 {
        state.withLock { state in
            let index = state.records.firstIndex { $0.journaledAtUs >= us } ?? state.records.count
            return UInt64(index + 1)
        }
    }

    public func record(seq: UInt64) throws -> JournalRecord? {
        state.withLock { state in
            guard seq >= 1, seq <= UInt64(state.records.count) else { return nil }
            return state.records[Int(seq - 1)]
        }
    }

    public func record(sender: String, id: String) throws -> JournalRecord? {
        state.withLock { state in
            state.bySenderAndId[sender]?[id].map { state.records[Int($0 - 1)] }
        }
    }

    public func records(types: [String], after: UInt64, limit: Int) throws -> [JournalRecord] {
        guard !types.isEmpty, limit > 0 else { return [] }
        let wanted = Set(types)
        return try state.withLock { state in
            let records = Array(state.records.lazy.filter { $0.seq > after && wanted.contains($0.type) }.prefix(limit))
            if let bad = records.first(where: { state.damaged.contains($0.seq) }) {
                throw StoreError(code: .corrupt, reason: "record seq \(bad.seq) failed its check", seq: bad.seq)
            }
            return records
        }
    }

    public func records(sender: String, idPrefix prefix: String) throws -> [JournalRecord] {
        state.withLock { state in
            state.records.filter { $0.sender == sender && $0.id.hasPrefix(prefix) }
        }
    }

    public func headSeq() throws -> UInt64 {
        state.withLock { UInt64($0.records.count) }
    }
}
