/// A hash that gives the same value in every process and on every machine: 64-bit FNV-1a
/// over the parts (each followed by a 0 byte, so ("ab", "c") and ("a", "bc") differ), then
/// the SplitMix64 finaliser so that every bit depends on every input byte. Swift's `Hasher`
/// is seeded randomly per process and cannot be used for decisions that must repeat.
public struct StableHash: Sendable, Equatable {
    /// The 64-bit value.
    public let value: UInt64

    /// Hashes `seed` (little-endian) and then each part's UTF-8 bytes.
    /// - Parameters:
    ///   - seed: the simulation's seed; another seed gives unrelated values.
    ///   - parts: what the value is derived from, e.g. a purpose and a message id.
    public init(seed: UInt64, _ parts: String...) {
        self.init(seed: seed, parts: parts)
    }

    /// Hashes `seed` (little-endian) and then each part's UTF-8 bytes.
    public init(seed: UInt64, parts: [String]) {
        self.init(seed: seed, chunks: parts.map { Array($0.utf8) })
    }

    /// The hash of raw bytes (a file's content), seeded.
    public init(seed: UInt64, bytes: [UInt8]) {
        self.init(seed: seed, chunks: [bytes])
    }

    private init(seed: UInt64, chunks: [[UInt8]]) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: seed >> UInt64(shift))) }
        for chunk in chunks {
            for byte in chunk { mix(byte) }
            mix(0)
        }
        // SplitMix64 finaliser.
        var z = hash
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        value = z ^ (z >> 31)
    }

    /// A number in [0, 1), uniform over the hash values: compare with a rate to decide.
    public var fraction: Double { Double(value >> 11) / Double(UInt64(1) << 53) }

    /// `count` decimal digits (1...18), leading zeros kept.
    public func digits(_ count: Int) -> String {
        let width = min(max(count, 1), 18)
        var modulus: UInt64 = 1
        for _ in 0..<width { modulus *= 10 }
        let text = String(value % modulus)
        return String(repeating: "0", count: width - text.count) + text
    }

    /// 16 lower-case hexadecimal digits.
    public var hex: String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
