/// Which data key sealed a value: an enterprise and the version of its key.
public struct DataKeyID: Sendable, Hashable, CustomStringConvertible {
    /// The enterprise the key belongs to (its party id or enterprise code), 1-255 bytes of UTF-8.
    public var enterprise: String
    /// The key's version: 1 for an enterprise's first key, one more for each key after it
    /// (a new one is made after its keys are shredded, or when the suite changes).
    public var version: UInt32

    /// An id.
    public init(enterprise: String, version: UInt32) {
        self.enterprise = enterprise
        self.version = version
    }

    /// Whether `enterprise` can name a key: 1-255 bytes of UTF-8 with no control characters.
    public static func isValid(enterprise: String) -> Bool {
        (1...255).contains(enterprise.utf8.count) && !enterprise.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    public var description: String { "\(enterprise)#\(version)" }
}

/// A data key: the key that seals an enterprise's personal fields, with its id and suite.
///
/// Its bytes never appear in `description` (or in logs, errors and listings).
public struct DataKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Whose key, which version.
    public var id: DataKeyID
    /// The algorithm it is for.
    public let suite: CipherSuite
    /// The key, ``CipherSuite/keyByteCount`` bytes.
    public let bytes: [UInt8]
    /// The key made ready for sealing and opening (set up once, used for every value).
    let prepared: AEADKey

    /// A key from its bytes.
    /// - Throws: ``CryptoError`` `invalidKey` when the size does not fit the suite or the
    ///   enterprise cannot name a key.
    public init(id: DataKeyID, suite: CipherSuite, bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == suite.keyByteCount else {
            throw CryptoError(.invalidKey, "a \(suite.algorithm) data key is \(suite.keyByteCount) bytes, not \(bytes.count)")
        }
        guard DataKeyID.isValid(enterprise: id.enterprise) else {
            throw CryptoError(.invalidKey, "an enterprise id of a data key is 1-255 bytes with no control characters")
        }
        self.id = id
        self.suite = suite
        self.bytes = bytes
        prepared = try AEADKey(suite: suite, bytes: bytes)
    }

    public static func == (lhs: DataKey, rhs: DataKey) -> Bool {
        lhs.id == rhs.id && lhs.suite == rhs.suite && lhs.bytes == rhs.bytes
    }

    /// A new random key.
    public static func random(id: DataKeyID, suite: CipherSuite) throws(CryptoError) -> DataKey {
        try DataKey(id: id, suite: suite, bytes: AEAD.randomBytes(suite.keyByteCount))
    }

    public var description: String { "DataKey(\(id), \(suite.algorithm), bytes hidden)" }
    public var debugDescription: String { description }
}
