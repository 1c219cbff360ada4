import Foundation
import HubThreads

/// The folders of a department's file exchange, the way departmental gateways work: the
/// department's system drops files into `inbox`, the adapter writes into `outbox`; read
/// files move to `archive` once the hub has journaled everything made from them, or to
/// `errors` beside a reason file. Every write is atomic and durable: a temporary file in the
/// same folder, flushed to disk, renamed, and the folder flushed.
public struct ExchangeFolders: Sendable, Equatable {
    public var inbox: URL
    public var outbox: URL
    public var archive: URL
    public var errors: URL
    /// Where the adapter keeps what it must remember across restarts.
    public var state: URL

    public init(inbox: URL, outbox: URL, archive: URL, errors: URL, state: URL) {
        self.inbox = inbox
        self.outbox = outbox
        self.archive = archive
        self.errors = errors
        self.state = state
    }

    /// All five folders under one directory: `in`, `out`, `archive`, `errors`, `state`.
    public init(root: URL) {
        self.init(
            inbox: root.appendingPathComponent("in"), outbox: root.appendingPathComponent("out"),
            archive: root.appendingPathComponent("archive"), errors: root.appendingPathComponent("errors"),
            state: root.appendingPathComponent("state"))
    }

    /// The five folders with the config keys that name them.
    public var named: [(key: String, url: URL)] {
        [("inbox", inbox), ("outbox", outbox), ("archive", archive), ("errors", errors), ("state", state)]
    }

    /// Creates the folders that do not exist.
    /// - Throws: ``AdapterSettingsError`` naming the folder and why it cannot be made.
    public func prepare() throws {
        for (key, folder) in named {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                let why = AdapterSettings.creatable(folder) ?? (error as NSError).localizedDescription
                throw AdapterSettingsError("adapter \(key) folder \(folder.path) cannot be made: \(why)")
            }
        }
    }

    /// The inbox entries to read, by name. Hidden files and names ending in `.tmp` or `.part`
    /// are files still being written and are left alone; what is not a file that can be read
    /// (a folder, a symbolic link to nowhere, a file the adapter's user may not read) is
    /// skipped too, each with the reason, for the adapter to log.
    public func readyInboxFiles() throws -> (files: [URL], skipped: [(name: String, reason: String)]) {
        let names = try FileManager.default.contentsOfDirectory(atPath: inbox.path)
        var files: [URL] = []
        var skipped: [(name: String, reason: String)] = []
        for name in names.sorted() where !name.hasPrefix(".") && !name.hasSuffix(".tmp") && !name.hasSuffix(".part") {
            let url = inbox.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
                skipped.append((name, "a symbolic link to nowhere"))
            } else if isDirectory.boolValue {
                skipped.append((name, "a folder, not a file"))
            } else if !FileManager.default.isReadableFile(atPath: url.path) {
                skipped.append((name, "the adapter's user may not read it"))
            } else {
                files.append(url)
            }
        }
        return (files, skipped)
    }

    /// Writes `content` as `folder/name` atomically (readers see the whole file or none) and
    /// durably: the file and its name in `folder` are on the disk when this returns, so a
    /// delivery acknowledged after it cannot be lost to a power loss (``DurableFile``).
    public static func writeAtomically(_ content: [UInt8], to folder: URL, name: String) throws {
        try DurableFile.write(content, to: folder.appendingPathComponent(name).path)
    }

    /// Moves `file` into `folder` (an atomic rename), under a name not yet taken there:
    /// its own, or with `-<tag>` before the extension. Returns where it went.
    @discardableResult
    public static func move(_ file: URL, into folder: URL, tag: String) throws -> URL {
        var target = folder.appendingPathComponent(file.lastPathComponent)
        if FileManager.default.fileExists(atPath: target.path) {
            let ext = file.pathExtension
            let stem = file.deletingPathExtension().lastPathComponent
            target = folder.appendingPathComponent(ext.isEmpty ? "\(stem)-\(tag)" : "\(stem)-\(tag).\(ext)")
        }
        guard rename(file.path, target.path) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        return target
    }
}
