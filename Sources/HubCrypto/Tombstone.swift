internal import Foundation

/// The record of a shred: which data key versions of an enterprise were destroyed, when and why.
public struct Tombstone: Sendable, Equatable, Codable {
    /// The enterprise whose keys were destroyed.
    public var enterprise: String
    /// The versions destroyed (those the vault held at the time).
    public var versions: [UInt32]
    /// Every version up to this one is destroyed; the enterprise's next key is a later one.
    public var maxVersion: UInt32
    /// When, microseconds since 1970 (UTC).
    public var shreddedUs: Int64
    /// Why (an erasure request, the end of retention), as the operator gave it.
    public var reason: String

    /// A tombstone.
    public init(enterprise: String, versions: [UInt32], maxVersion: UInt32, shreddedUs: Int64, reason: String) {
        self.enterprise = enterprise
        self.versions = versions
        self.maxVersion = maxVersion
        self.shreddedUs = shreddedUs
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case enterprise, versions, reason
        case maxVersion = "max_version"
        case shreddedUs = "shredded_us"
    }
}
