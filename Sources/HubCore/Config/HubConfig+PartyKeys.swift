import HubConfigKit

extension HubConfig {
    /// The most public keys a party may list: its key and, while it is being rotated, the next.
    public static let maxKeysPerParty = 2

    /// A party's public keys, from exactly one of `public_key` and `key_file`, each one value
    /// or a list of up to ``maxKeysPerParty`` (a key and its successor during a rotation).
    static func partyKeys(
        _ raw: RawConfig.Party, resolve: (String) -> String, readFile: (String) throws -> String
    ) throws -> [String] {
        let keys: [String]
        switch (raw.publicKey, raw.keyFile) {
        case (let inline?, nil):
            keys = inline.values
        case (nil, let files?):
            keys = try files.values.map { file in try KeyFile.parse(try readFile(resolve(file)), source: resolve(file)).publicKey }
        default:
            throw ConfigError(.badKey, "party '\(raw.id)' needs exactly one of public_key and key_file")
        }
        guard (1...maxKeysPerParty).contains(keys.count) else {
            throw ConfigError(
                .badKey,
                "party '\(raw.id)' lists \(keys.count) keys: give one, or two while rotating (the current key and the next)")
        }
        for key in keys where !KeyFile.isZ85Key(key) {
            throw ConfigError(.badKey, "party '\(raw.id)': public key is not 40 characters of Z85")
        }
        return keys
    }
}

/// A YAML value that is one string or a list of strings (`key_file: a.key` or
/// `key_file: [a.key, a.next.key]`).
struct StringOrList: Decodable, Equatable {
    var values: [String]

    init(from decoder: any Decoder) throws {
        if let one = try? decoder.singleValueContainer().decode(String.self) {
            values = [one]
        } else {
            values = try decoder.singleValueContainer().decode([String].self)
        }
    }
}
