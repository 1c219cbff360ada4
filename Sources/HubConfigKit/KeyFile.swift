import Foundation
import Yams

/// A CURVE key file as `swhub keygen` writes it: YAML with `public_key` and, in the
/// secret file (`NAME.key_secret`, mode 0600), `secret_key`. Keys are Z85 text.
public struct KeyFile: Sendable, Equatable {
    /// Z85 public key, 40 characters.
    public var publicKey: String
    /// Z85 secret key, 40 characters; nil in a public key file.
    public var secretKey: String?

    /// Creates a key file's content.
    /// - Parameters:
    ///   - publicKey: the Z85 public key.
    ///   - secretKey: the Z85 secret key, or nil for a public key file.
    public init(publicKey: String, secretKey: String?) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Reads and parses the key file at `path`.
    public static func load(path: String) throws -> KeyFile {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(.badKey, "cannot read key file \(path)")
        }
        return try parse(text, source: path)
    }

    /// Parses a key file's text. `source` names the file in errors.
    public static func parse(_ text: String, source: String) throws -> KeyFile {
        struct Raw: Decodable {
            var publicKey: String
            var secretKey: String?

            enum CodingKeys: String, CodingKey {
                case publicKey = "public_key"
                case secretKey = "secret_key"
            }
        }
        guard let raw = try? YAMLDecoder().decode(Raw.self, from: text) else {
            throw ConfigError(.badKey, "\(source) is not a key file (YAML with public_key)")
        }
        guard isZ85Key(raw.publicKey) else { throw ConfigError(.badKey, "\(source): public_key is not 40 characters of Z85") }
        if let secret = raw.secretKey, !isZ85Key(secret) {
            throw ConfigError(.badKey, "\(source): secret_key is not 40 characters of Z85")
        }
        return KeyFile(publicKey: raw.publicKey, secretKey: raw.secretKey)
    }

    /// The text of this key file; the secret key only if `includingSecret`.
    public func render(name: String, includingSecret: Bool) -> String {
        var text = "# SingleWindowHub CURVE key of '\(name)'\npublic_key: \"\(publicKey)\"\n"
        if includingSecret, let secretKey {
            text =
                "# SingleWindowHub CURVE key pair of '\(name)': SECRET, keep mode 0600\n"
                + "public_key: \"\(publicKey)\"\nsecret_key: \"\(secretKey)\"\n"
        }
        return text
    }

    /// 40 characters of the Z85 alphabet: the text form of a 32-byte CURVE key.
    public static func isZ85Key(_ key: String) -> Bool {
        key.utf8.count == 40 && key.utf8.allSatisfy { z85Alphabet.contains($0) }
    }

    private static let z85Alphabet: Set<UInt8> = Set(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)
}
