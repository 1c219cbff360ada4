import Foundation
import HubConfigKit
import HubCore
import HubLifecycle
import HubServer
import Hummingbird
import Logging
import NIOPosix
import Prometheus
import ServiceLifecycle
import Synchronization

/// Makes the statistics page (HTML) of a period and optionally one enterprise (`ebc_code`).
/// Injected by the executable (it reads the statistics cache and draws the charts).
public typealias StatisticsPage = @Sendable (TradeReport.Period, String?) throws -> String

/// Looks up the trace of a message or filing by id: a Codable report, nil when the id is
/// unknown. Injected by the executable (it reads the journal).
public typealias TraceLookup = @Sendable (String) throws -> (any Encodable & Sendable)?

/// The hub's HTTP side, in the hub's process, as a swift-service-lifecycle `Service`
/// (Hummingbird 2):
///
/// - `GET /metrics`: the Prometheus text exposition of `metrics`;
/// - `GET /`: the web monitor page (HTML, CSS and script embedded, nothing external);
/// - `GET /events`: server-sent events, one `snapshot` event with the ``HubSnapshot`` JSON
///   every second; `?max=N` ends the stream after N of them with an `end` event (the page
///   passes its own `?events=N` on, for headless browsers and screenshots, which wait for
///   every request to end);
/// - `GET /api/snapshot`: the same JSON once;
/// - `GET /api/trace/{id}`: the trace of a filing or message, 404 when the id is unknown;
/// - `GET /statistics?period=2026-11[&enterprise=X]`: the trade statistics of a month,
///   quarter or day with their charts, the page `swhub report` prints to PDF (400 for a bad
///   period; the current month without one).
///
/// With a token every route requires it (`MonitorAccess`). Graceful shutdown ends the event
/// streams, then the server. A server that stops by itself (say its port is taken) fails
/// the service. Blocking journal reads run on NIO's thread pool (`NIOThreadPool.singleton`).
public struct MonitorService: Service {
    /// What the monitor reads.
    public struct Sources: Sendable {
        /// The hub's latest snapshot.
        public var snapshot: @Sendable () -> HubSnapshot
        /// The registry the executable bootstrapped swift-metrics with.
        public var metrics: PrometheusCollectorRegistry
        /// The trace lookup.
        public var trace: TraceLookup
        /// Brings the metrics read at scrape time up to date (the process's resources, the
        /// journal's files: ``ResourceMetrics``), called before each `/metrics`.
        public var refreshMetrics: @Sendable () -> Void
        /// The statistics page of a period and optionally one enterprise (`/statistics`): the
        /// HTML of `swhub report --format html`; nil: the route answers 404.
        public var statistics: StatisticsPage?

        /// What the routes serve.
        public init(
            snapshot: @escaping @Sendable () -> HubSnapshot, metrics: PrometheusCollectorRegistry, trace: @escaping TraceLookup,
            refreshMetrics: @escaping @Sendable () -> Void = {}
        ) {
            self.snapshot = snapshot
            self.metrics = metrics
            self.trace = trace
            self.refreshMetrics = refreshMetrics
        }
    }

    private let host: String
    private let port: Int
    private let sources: Sources
    private let logger: Logger
    /// How often `/events` pushes a snapshot.
    private let interval: Duration
    private let stopping = StopFlag()
    private let token: String?

    /// - Parameters:
    ///   - host: address to listen on (`monitor.listen` of the config).
    ///   - port: TCP port (0: any free one; the bound address is logged).
    ///   - sources: what is served.
    ///   - token: the bearer token every request must present (`loadToken(path:)`);
    ///     nil for an open monitor (the config allows that on loopback addresses only).
    ///   - interval: how often `/events` pushes a snapshot.
    ///   - logger: where the server logs.
    public init(host: String, port: Int, sources: Sources, token: String? = nil, interval: Duration = .seconds(1), logger: Logger) {
        self.host = host
        self.port = port
        self.token = token
        self.sources = sources
        self.interval = interval
        self.logger = logger
    }

    /// Serves until graceful shutdown (or cancellation), ending the event streams first.
    /// - Throws: what the server threw (e.g. the address is in use), or ``LifecycleError``
    ///   when it returned although no shutdown was asked for.
    public func run() async throws {
        let router = Router()
        if let token { router.add(middleware: MonitorAccess(token: token)) }
        let sources = sources
        let interval = interval
        let stopping = stopping
        router.get("/") { _, _ in
            Self.response(MonitorPage.html, contentType: "text/html; charset=utf-8")
        }
        router.get("/metrics") { _, _ in
            sources.refreshMetrics()
            var body = ByteBuffer()
            body.writeBytes(sources.metrics.emitToBuffer())
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: body))
        }
        router.get("/api/snapshot") { _, _ in
            try Self.json(sources.snapshot())
        }
        router.get("/api/trace/{id}") { _, context in
            let raw = try context.parameters.require("id")
            let id = raw.removingPercentEncoding ?? raw
            guard !id.isEmpty, id.utf8.count <= 1024 else {
                return try Self.json(MonitorError(error: "an id is 1 to 1024 bytes"), status: .badRequest)
            }
            do {
                guard let report = try await Self.offPool({ try sources.trace(id) }) else {
                    return try Self.json(MonitorError(error: "no message or filing with id '\(id)' in the journal"), status: .notFound)
                }
                return try Self.json(report)
            } catch {
                return try Self.json(MonitorError(error: "trace failed: \(error)"), status: .internalServerError)
            }
        }
        router.get("/statistics") { request, _ in
            try await Self.statistics(request, sources.statistics)
        }
        router.get("/events") { request, _ in
            let max = request.uri.queryParameters["max"].flatMap { Int($0) }.map { min(Swift.max($0, 1), 3600) } ?? Int.max
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    // The browser's EventSource reconnects by itself: end each stream after
                    // an hour so no connection lives for ever.
                    let end = ContinuousClock.now + .seconds(3600)
                    try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                    var sent = 0
                    while !stopping.isSet, !Task.isCancelled, ContinuousClock.now < end {
                        if sent == max {
                            try await writer.write(ByteBuffer(string: "event: end\ndata: {}\n\n"))
                            break
                        }
                        sent += 1
                        let data = try Self.encoder.encode(sources.snapshot())
                        var buffer = ByteBuffer(string: "event: snapshot\ndata: ")
                        buffer.writeBytes(data)
                        buffer.writeString("\n\n")
                        try await writer.write(buffer)
                        try await Task.sleep(for: interval)
                    }
                    try await writer.finish(nil)
                })
        }
        let logger = logger
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "swhub"),
            onServerRunning: { channel in
                logger.info("monitor listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            logger: logger)
        try await withGracefulShutdownHandler {
            try await app.run()
        } onGracefulShutdown: {
            stopping.set()
        }
        guard stopping.isSet || Task.isCancelled else {
            throw LifecycleError(.returnedEarly, service: "monitor", reason: "the HTTP server stopped by itself")
        }
    }

    /// Reads and checks a token file: one token of 16 to 256 characters from `A–Z a–z 0–9 - _ . ~`
    /// (surrounding white space ignored), e.g. `od -An -tx1 -N32 /dev/urandom | tr -d ' \n'`.
    /// - Throws: `ConfigError` for a missing file or a token that is too short or has other characters.
    public static func loadToken(path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(.unreadable, "monitor.token_file \(path) cannot be read")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
        guard (16...256).contains(token.count), token.allSatisfy({ allowed.contains($0) }) else {
            throw ConfigError(
                .invalidValue, "monitor.token_file \(path): the token must be 16 to 256 characters from A-Z a-z 0-9 - _ . ~")
        }
        return token
    }

    /// Runs blocking work (a journal read) on NIO's shared thread pool, not on the
    /// concurrency pool (nor on a new thread per request).
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    private static func response(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ value: any Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(try encoder.encode(value))
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}

/// The JSON body of a refused monitor request.
struct MonitorError: Codable, Sendable {
    var error: String
}

/// Set once, when graceful shutdown begins; the event streams poll it.
final class StopFlag: Sendable {
    private let flag = Mutex(false)

    var isSet: Bool { flag.withLock { $0 } }

    func set() { flag.withLock { $0 = true } }
}
