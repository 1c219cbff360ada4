import Foundation
import HubConfigKit

extension AdapterSettings {
    /// The files and folders a client or adapter config names — its own key pair, the hub's
    /// and the tap's public keys, and for an adapter its five exchange folders — read
    /// strictly (an unknown key anywhere in the file is refused with its place) but without
    /// reading any key or making any folder: an installer asks before it has made them.
    /// - Parameters:
    ///   - path: the config file.
    ///   - relativeTo: the folder relative paths are resolved against; nil: the file's own
    ///     (an installer passes the folder the file is installed into).
    /// - Throws: ``ConfigError`` (`unreadable`, `syntax`, `invalidValue`).
    public static func namedFiles(path: String, relativeTo: String? = nil) throws -> [NamedFile] {
        var files = try ClientConfigFile.namedFiles(path: path, relativeTo: relativeTo)
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(.unreadable, "cannot read config file \(path)")
        }
        // The client keys were checked above; here the `adapter:` section.
        guard let adapter = try StrictYAMLDecoder().decode(File.self, from: text, file: path, otherSections: .any).adapter else {
            return files
        }
        let base = relativeTo.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: path).deletingLastPathComponent()
        let folders: ExchangeFolders
        do {
            folders = try adapter.folders(base: base, path: path)
        } catch let error as AdapterSettingsError {
            throw ConfigError(.invalidValue, error.description)
        }
        files += folders.named.map { NamedFile(.folder, name: $0.key, path: $0.url.path) }
        return files
    }
}
