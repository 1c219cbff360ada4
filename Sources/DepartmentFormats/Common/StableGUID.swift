/// A GUID-shaped id (8-4-4-4-12 upper-case hex, the 36 characters of the standard's `guid`)
/// derived from its parts, the same in every process: a file read twice gives the same
/// guids. Two 64-bit FNV-1a hashes (each part followed by a 0 byte) with the SplitMix64
/// finaliser; not cryptographic, only stable.
enum StableGUID {
    static func make(_ parts: String...) -> String {
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
        var value: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
        func mix(_ byte: UInt8) {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
        for part in parts {
            for byte in part.utf8 { mix(byte) }
            mix(0)
        }
        var z = value
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        z ^= z >> 31
        let text = String(z, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
