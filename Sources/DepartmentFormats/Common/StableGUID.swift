/// A GUID-shaped id (8-4-4-4-12 upper-case hex, the 36 characters of the standard's `guid`)
/// derived from its parts, the same in every process: a file read twice gives the same
/// guids. Two 64-bit FNV-1a hashes (each part followed by a 0 byte) with the SplitMix64
/// finaliser; not cryptographic, only stable.
public enum StableGUID {
    public static func make(_ parts: String...) -> String {
        make(parts)
    }

    /// The same for an array of parts.
    public static func make(_ parts: [String]) -> String {
        let hex = hash(0x243F_6A88_85A3_08D3, parts) + hash(0x1319_8A2E_0370_7344, parts)
        let characters = Array(hex)
        var groups: [String] = []
        var start = 0
        for length in [8, 4, 4, 4, 12] {
            groups.append(String(characters[start..<start + length]))
            start += length
        }
        return groups.joined(separator: "-")
    }

    private static func hash(_ seed: UInt64, _ parts: [String]) -> String {
        StableHash(seed: seed, parts: parts).hex
    }
}
