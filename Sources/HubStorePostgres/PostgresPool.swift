import HubCore
import HubStore
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// The store's connections to the PostgreSQL primary: each call checks one out, uses it
/// alone, and hands it back, so the writer, the readers and the operators' reads each have
/// their own while they run. A connection that failed is dropped; the next call connects
/// again, to whichever server is the primary by then (see ``PostgresLink/open``).
final class PostgresPool: Sendable {
    private let settings: HubConfig.PostgresStore
    private let password: String?
    private let tls: PostgresConnection.Configuration.TLS
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    /// Idle links.
    private let idle = Mutex<[PostgresLink]>([])
    /// Most idle links kept.
    private static let maxIdle = 8

    /// Prepares a pool; nothing is connected yet.
    ///
    /// - Throws: ``StoreError`` `openFailed` when the password file or the CA file cannot
    ///   be read.
    init(settings: HubConfig.PostgresStore, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        do {
            password = try settings.password()
        } catch {
            throw StoreError(code: .openFailed, reason: "\(error)")
        }
        switch settings.tls {
        case .disable:
            tls = .disable
        case .verifyFull:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .fullVerification
            if let caFile = settings.caFile {
                do {
                    configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
                } catch {
                    throw StoreError(code: .openFailed, reason: "store.ca_file \(caFile) holds no readable PEM certificate: \(error)")
                }
            }
            do {
                tls = .require(try NIOSSLContext(configuration: configuration))
            } catch {
                throw StoreError(code: .openFailed, reason: "cannot set up TLS for PostgreSQL: \(error)")
            }
        }
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    deinit {
        for link in idle.withLock({ $0 }) { link.close() }
        try? group.syncShutdownGracefully()
    }

    /// Runs `body` with a connection to the primary, connecting one if none is idle.
    ///
    /// - Throws: ``StoreError`` `unavailable` when no primary can be reached, or what
    ///   `body` throws.
    func with<R>(_ body: (PostgresLink) throws -> R) throws -> R {
        let link = try checkOut()
        defer { checkIn(link) }
        return try body(link)
    }

    /// Closes every idle connection (the ones in use close when handed back broken).
    func closeIdle() {
        for link in idle.withLock({ links in
            defer { links.removeAll() }
            return links
        }) { link.close() }
    }

    /// A connection of its own, outside the pool (the head watcher's, which stays in
    /// `LISTEN`); the caller closes it.
    func openDedicated() throws -> PostgresLink {
        try PostgresLink.open(settings: settings, password: password, tls: tls, group: group, logger: logger)
    }

    private func checkOut() throws -> PostgresLink {
        if let link = idle.withLock({ $0.popLast() }) { return link }
        return try PostgresLink.open(settings: settings, password: password, tls: tls, group: group, logger: logger)
    }

    private func checkIn(_ link: PostgresLink) {
        if link.broken {
            link.close()
            return
        }
        let kept = idle.withLock { links in
            guard links.count < Self.maxIdle else { return false }
            links.append(link)
            return true
        }
        if !kept { link.close() }
    }
}
