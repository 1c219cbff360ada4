import Foundation
import HubConfigKit

extension HubConfig {
    /// The files a hub config names — the hub's key pair, the journal, the tap's key pair,
    /// the monitor's token, the master key file and the data-key vault, each party's public
    /// key file — read strictly (an unknown key is
    /// refused as `load` refuses it) but without reading any of them: an installer asks
    /// before it has made them.
    /// - Parameters:
    ///   - path: the config file.
    ///   - relativeTo: the folder relative paths are resolved against; nil: the file's own
    ///     (an installer passes the folder the file is installed into).
    /// - Throws: ``ConfigError`` (`unreadable`, `syntax`).
    public static func namedFiles(path: String, relativeTo: String? = nil) throws -> [NamedFile] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(.unreadable, "cannot read config file \(path)")
        }
        let raw = try StrictYAMLDecoder().decode(RawConfig.self, from: text, file: path)
        let base = relativeTo ?? URL(fileURLWithPath: path).deletingLastPathComponent().path
        let resolve = { (file: String) in Self.resolve(file, against: base) }
        var files = [NamedFile(.hubKey, name: "hub", path: resolve(raw.hub.keyFile))]
        if let journal = raw.hub.journal { files.append(NamedFile(.journal, name: "hub", path: resolve(journal))) }
        if let tap = raw.tap { files.append(NamedFile(.tapKey, name: "tap", path: resolve(tap.keyFile))) }
        if let token = raw.monitor?.tokenFile { files.append(NamedFile(.monitorToken, name: "monitor", path: resolve(token))) }
        if let keys = raw.keys {
            if let file = keys.masterKeyFile { files.append(NamedFile(.masterKey, name: "keys", path: resolve(file))) }
            if let vault = keys.vault {
                files.append(NamedFile(.vault, name: "keys", path: resolve(vault)))
            } else if let journal = raw.hub.journal, raw.store == nil {
                let folder = URL(fileURLWithPath: resolve(journal)).deletingLastPathComponent()
                files.append(NamedFile(.vault, name: "keys", path: folder.appendingPathComponent("keys.sqlite").path))
            }
        }
        for party in raw.parties {
            for keyFile in party.keyFile?.values ?? [] { files.append(NamedFile(.partyKey, name: party.id, path: resolve(keyFile))) }
        }
        return files
    }
}
