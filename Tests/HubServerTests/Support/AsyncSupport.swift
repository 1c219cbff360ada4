import Foundation
import HubClient
import HubCore
import HubStore
import HubStorePostgres
import HubTestSupport
import Logging

/// Runs `operation`, racing it against `limit`: throws ``TimeoutError`` when the limit
/// passes first. The operation is then cancelled but not awaited, so an operation that
/// ignores cancellation (say, a continuation that is never resumed) cannot hang the test.
func withTimeout<T: Sendable>(
    _ limit: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    // The first result wins; the continuation is resumed exactly once.
    let state = Locked<(waiter: CheckedContinuation<T, any Error>?, result: Result<T, any Error>?)>((nil, nil))
    @Sendable func finish(_ result: Result<T, any Error>) {
        let waiter: CheckedContinuation<T, any Error>? = state.withLock { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }
    let work = Task {
        do { finish(.success(try await operation())) } catch { finish(.failure(error)) }
    }
    let timer = Task {
        try? await Task.sleep(for: limit)
        finish(.failure(TimeoutError(description: "\(what): not done within \(limit)")))
    }
    defer {
        work.cancel()
        timer.cancel()
    }
    return try await withCheckedThrowingContinuation { continuation in
        let early: Result<T, any Error>? = state.withLock { state in
            if let done = state.result { return done }
            state.waiter = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }
}

/// Runs blocking work on a thread of its own, never on the (small) cooperative pool:
/// raw ZeroMQ calls block, and the test host may have two cores only.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

/// A value shared between tasks and threads behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    var current: Value { withLock { $0 } }
}

/// Consumes an SDK client's `deliveries` with ONE iterator for the client's whole life
/// (dropping an `AsyncStream` iterator ends the stream), keeping every delivery in order.
/// Tests wait on it with deadlines; it never blocks a test by itself.
final class DeliveryInbox: Sendable {
    private let received = Locked<[Delivery]>([])
    private let ended = Locked(false)

    /// - Parameters:
    ///   - client: a client configured with `receive`.
    ///   - acknowledge: acknowledge each delivery as soon as it arrives.
    init(_ client: HubClient, acknowledge: Bool = true) {
        let stream = client.deliveries
        let received = received
        let ended = ended
        Task { [weak client] in
            for await delivery in stream {
                received.withLock { $0.append(delivery) }
                if acknowledge { client?.acknowledge(delivery.seq) }
            }
            ended.withLock { $0 = true }
        }
    }

    /// Everything received so far.
    var all: [Delivery] { received.current }
    var count: Int { received.withLock { $0.count } }

    /// Waits until at least `count` deliveries arrived; returns all of them.
    @discardableResult
    func wait(for count: Int, within limit: Duration) async throws -> [Delivery] {
        try await waitUntil(limit, "only \(self.count) of \(count) deliveries arrived (last seq \(all.last?.seq ?? 0))") {
            self.count >= count || ended.current
        }
        let all = self.all
        guard all.count >= count else {
            throw TestHubError("the delivery stream ended after \(all.count) of \(count) deliveries")
        }
        return all
    }
}

extension TestHub {
    /// Opens the journal file for reading (after the hub exited, or beside it).
    func openJournal() throws -> any JournalStore {
        let logger = Logger(label: "test.journal", factory: { _ in SwiftLogNoOpLogHandler() })
        if let settings = try HubConfig.load(path: configPath).store.postgres {
            return try PostgresJournalStore(settings: settings, logger: logger)
        }
        return try SQLiteJournalStore(path: journalPath, logger: logger)
    }

    /// An inspector (trace, records) of the hub's journal, in SQLite or PostgreSQL.
    func inspector() throws -> JournalInspector {
        if let settings = try HubConfig.load(path: configPath).store.postgres {
            let logger = Logger(label: "test.journal", factory: { _ in SwiftLogNoOpLogHandler() })
            return JournalInspector(queries: try PostgresJournalQueries(settings: settings, logger: logger))
        }
        return try JournalInspector(path: journalPath)
    }

    /// The hub process's resident set size in bytes (`VmRSS` in /proc/<pid>/status).
    func residentBytes() -> Int? {
        guard let pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }

    /// An SDK client with a request timeout of the test's choosing.
    func client(
        _ party: String, receive: Bool = false, credit: UInt32 = 100, requestTimeout: Duration
    ) throws -> HubClient {
        var configuration = clientConfiguration(party, receive: receive, credit: credit)
        configuration.requestTimeout = requestTimeout
        return try client(configuration: configuration, name: party)
    }

    /// Submits `count` messages concurrently; returns the receipts by index.
    func submitConcurrently(
        _ client: HubClient, count: Int, type: String = "demo.Note", to recipients: [String] = [],
        idPrefix: String, body: @escaping @Sendable (Int) -> [UInt8] = { Array("message \($0)".utf8) }
    ) async throws -> [SubmitReceipt] {
        try await withThrowingTaskGroup(of: (Int, SubmitReceipt).self) { group in
            for index in 0..<count {
                group.addTask {
                    (index, try await client.submit(type: type, body: body(index), to: recipients, id: "\(idPrefix)-\(index)"))
                }
            }
            var receipts = [SubmitReceipt?](repeating: nil, count: count)
            for try await (index, receipt) in group { receipts[index] = receipt }
            return receipts.compactMap { $0 }
        }
    }
}
