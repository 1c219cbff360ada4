import Foundation
import HubConfigKit
import HubCore
import HubMonitor
import HubServer
import HubStore

/// What `swhub serve` checks of a parsed hub config before it opens anything: the key
/// files hold usable keys, the monitor's token is valid, the journal's folder can be
/// written (or made), and every endpoint to bind is free. `swhub config check` runs the
/// same checks, so a mistake is found before a deployment, not at 3 a.m.
struct HubPreflight {
    let config: HubConfig

    /// Runs every check; returns the problems found (empty: ready to serve).
    func problems() -> [ConfigError] {
        var found: [ConfigError] = []
        func check(_ body: () throws -> Void) {
            do {
                try body()
            } catch let error as ConfigError {
                found.append(error)
            } catch {
                found.append(ConfigError(.invalidValue, "\(error)"))
            }
        }
        check { _ = try Hub.loadKeyPair(path: config.settings.keyFile) }
        if let tap = config.tap {
            check { _ = try Hub.loadKeyPair(path: tap.keyFile) }
        }
        if let tokenFile = config.monitor?.tokenFile {
            check { _ = try MonitorService.loadToken(path: tokenFile) }
        }
        if let postgres = config.store.postgres {
            check { _ = try postgres.password() }
            if let caFile = postgres.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
                found.append(ConfigError(.unreadable, "store.ca_file \(caFile) cannot be read"))
            }
        } else if config.settings.readOnly {
            check { try Self.checkReadable(journal: config.settings.journal) }
        } else {
            check { try Self.checkWritable(journal: config.settings.journal) }
            check { try Self.checkSuite(journal: config.settings.journal, crypto: config.crypto) }
        }
        // The archiver writes segments (on PostgreSQL too, into the folder the nodes share).
        if let archive = config.archive, config.store.postgres != nil || !config.settings.readOnly {
            check { try Self.checkArchiveFolder(archive.directory) }
        }
        if let keys = config.keys {
            found += KeysPreflight(keys: keys).problems()
        }
        var endpoints = [("hub.endpoint", config.settings.endpoint)]
        if let tap = config.tap { endpoints.append(("tap.endpoint", tap.endpoint)) }
        if let monitor = config.monitor, monitor.port != 0 {
            endpoints.append(("monitor.listen", "tcp://\(monitor.host):\(monitor.port)"))
        }
        for (key, endpoint) in endpoints {
            check { try Self.checkFree(key: key, endpoint: endpoint) }
        }
        return found
    }

    /// Throws the first problem, naming how many more there are.
    func run() throws {
        let found = problems()
        guard let first = found.first else { return }
        guard found.count > 1 else { throw first }
        throw ConfigError(first.code, first.reason + " (and \(found.count - 1) more problem(s): swhub config check lists them all)")
    }

    /// An existing journal records the suite `crypto:` names (a hub would refuse it otherwise:
    /// `suiteMismatch`); a journal that cannot be read is left to the other checks and to `serve`.
    static func checkSuite(journal: String, crypto: CryptoSuite) throws {
        guard FileManager.default.isReadableFile(atPath: journal), let recorded = try? JournalSuiteRecord.read(journalPath: journal),
            recorded != crypto
        else { return }
        throw ConfigError(
            .invalidValue,
            "crypto: \(crypto.rawValue), but the journal \(journal) was created with crypto: \(recorded.rawValue) "
                + "(suiteMismatch: a journal keeps its suite for life; set crypto: \(recorded.rawValue) or use a new journal)")
    }

    /// Read-only (salvage): the journal file exists and can be read.
    static func checkReadable(journal: String) throws {
        guard FileManager.default.isReadableFile(atPath: journal) else {
            throw ConfigError(
                .invalidValue, "hub.journal \(journal) does not exist or cannot be read: --salvage serves an existing journal")
        }
    }

    /// The journal file, if it exists, is writable; if not, its folder is, or can be made
    /// (its nearest existing ancestor is writable).
    static func checkWritable(journal: String) throws {
        let files = FileManager.default
        if files.fileExists(atPath: journal) {
            guard files.isWritableFile(atPath: journal) else {
                throw ConfigError(.invalidValue, "hub.journal \(journal) exists but cannot be written by this user")
            }
            return
        }
        try checkFolder(
            URL(fileURLWithPath: journal).deletingLastPathComponent(), key: "hub.journal \(journal)",
            unwritable: "the folder cannot be made or written")
    }

    /// `key`'s folder (of the file at `path`) is writable, or can be made.
    static func checkFileFolder(_ path: String, key: String) throws {
        try checkFolder(URL(fileURLWithPath: path).deletingLastPathComponent(), key: key)
    }

    /// `archive.dir` is a writable folder, or can be made (its nearest existing ancestor is a writable folder).
    static func checkArchiveFolder(_ directory: String) throws {
        try checkFolder(URL(fileURLWithPath: directory), key: "archive.dir \(directory)")
    }

    /// `start`, or its nearest existing ancestor, is a folder this user can write; errors
    /// name `key`, and `unwritable` (if given) says what an unwritable folder means.
    private static func checkFolder(_ start: URL, key: String, unwritable: String? = nil) throws {
        let files = FileManager.default
        var folder = start
        while !files.fileExists(atPath: folder.path), folder.path != "/" {
            folder.deleteLastPathComponent()
        }
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigError(.invalidValue, "\(key): \(folder.path) is not a folder")
        }
        guard files.isWritableFile(atPath: folder.path) else {
            let reason = "\(folder.path) is not writable by this user"
            throw ConfigError(.invalidValue, "\(key): " + (unwritable.map { "\($0) (\(reason))" } ?? reason))
        }
    }

    /// A `tcp://HOST:PORT` endpoint with a fixed port must be free to bind (`*` means every
    /// address; port `*` or 0 and other transports are not checked).
    static func checkFree(key: String, endpoint: String) throws {
        guard endpoint.hasPrefix("tcp://") else { return }
        let address = endpoint.dropFirst("tcp://".count)
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]), port != 0 else { return }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let reason = PortProbe.bindFailure(host: host == "*" ? "0.0.0.0" : host, port: port) {
            throw ConfigError(.invalidValue, "\(key) \(endpoint) cannot be bound: \(reason)")
        }
    }
}
