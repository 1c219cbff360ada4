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
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(.unreadable, "cannot read config file \(path)")
        }
        let raw = try StrictYAMLDecoder().decode(ClientFile.self, from: text, file: path)
        let base = relativeTo.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: path).deletingLastPathComponent()
        let resolve = { (file: String) in ConfigPath.resolve(file, against: base.path) }
        var files = [NamedFile(.clientKey, name: raw.party ?? "-", path: resolve(raw.keyFile))]
        if let hubKey = raw.hubPublicKeyFile { files.append(NamedFile(.hubPublicKey, name: "hub", path: resolve(hubKey))) }
        if let tapKey = raw.tapPublicKeyFile { files.append(NamedFile(.tapPublicKey, name: "tap", path: resolve(tapKey))) }
        if let adapter = raw.adapter {
            let folders: ExchangeFolders
            do {
                folders = try adapter.folders(base: base, path: path)
            } catch let error as AdapterSettingsError {
                throw ConfigError(.invalidValue, error.description)
            }
            files += folders.named.map { NamedFile(.folder, name: $0.key, path: $0.url.path) }
        }
        return files
    }

    /// The whole file: the client keys `HubClientConfiguration.load` reads, and the
    /// `adapter:` section `load(path:)` reads (keep the two lists in step with those).
    private struct ClientFile: Decodable {
        var hubEndpoint: String
        var hubPublicKeyFile: String?
        var hubPublicKey: String?
        var keyFile: String
        var credit: UInt32?
        var party: String?
        var tapEndpoint: String?
        var tapPublicKeyFile: String?
        var tapPublicKey: String?
        var adapter: Raw?

        enum CodingKeys: String, CodingKey {
            case credit, party, adapter
            case hubEndpoint = "hub_endpoint"
            case hubPublicKeyFile = "hub_public_key_file"
            case hubPublicKey = "hub_public_key"
            case keyFile = "key_file"
            case tapEndpoint = "tap_endpoint"
            case tapPublicKeyFile = "tap_public_key_file"
            case tapPublicKey = "tap_public_key"
        }
    }
}
