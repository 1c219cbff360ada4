import HubConfigKit

/// The algorithm suite of the hub's cryptography (`crypto:` in the hub's config): which hash
/// the journal's chain, its per-record checksums, archive segment trailers and backup
/// manifests use. A journal records its suite when it is created, and keeps it for life.
public enum CryptoSuite: String, Sendable, CaseIterable, Codable {
    /// SHA-256 for the chain and the digests, xxHash's XXH3-64 for the per-record checksum.
    case standard
    /// The national algorithms (GB/T 32905 SM3): SM3 for the chain, the digests and the
    /// per-record checksum (its first 8 bytes).
    case sm

    /// The suite a journal without a recorded one uses (every journal written before suites).
    public static let legacy = CryptoSuite.standard

    /// The hash of the chain and of the digests, as printed (`SHA-256`, `SM3`).
    public var chainHashName: String {
        switch self {
        case .standard: "SHA-256"
        case .sm: "SM3"
        }
    }

    /// The per-record checksum, as printed (`XXH3-64`, `SM3-64`).
    public var checksumName: String {
        switch self {
        case .standard: "XXH3-64"
        case .sm: "SM3-64"
        }
    }

    /// Parses `crypto:`'s value (absent: `standard`).
    /// - Throws: ``ConfigError`` `invalidValue` naming the accepted values.
    public static func parse(_ value: String?) throws -> CryptoSuite {
        guard let value else { return .standard }
        guard let suite = CryptoSuite(rawValue: value) else {
            throw ConfigError(
                .invalidValue, "crypto '\(value)' is not one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return suite
    }
}
