import CZeroMQ

/// A CURVE key pair as two 40-character Z85 strings.
///
/// `description` shows the public key only; the secret key never appears in logs.
public struct CurveKeyPair: Sendable, Equatable, CustomStringConvertible {
    /// The public key, 40 Z85 characters (32 bytes).
    public let publicKey: String
    /// The secret key, 40 Z85 characters (32 bytes).
    public let secretKey: String

    /// Creates a key pair from existing keys, checking them.
    /// - Parameters:
    ///   - publicKey: The public key, 40 Z85 characters.
    ///   - secretKey: The secret key, 40 Z85 characters.
    /// - Throws: ``ZMQError`` with `EINVAL` (function `"CurveKeyPair.init"`) if either
    ///   key is not 40 valid Z85 characters or the public key does not belong to the
    ///   secret key; `ENOTSUP` if libzmq lacks CURVE.
    public init(publicKey: String, secretKey: String) throws {
        guard Self.isValidKey(publicKey), Self.isValidKey(secretKey) else {
            throw ZMQError(function: "CurveKeyPair.init", errno: EINVAL)
        }
        guard try Self.publicKey(fromSecret: secretKey) == publicKey else {
            throw ZMQError(function: "CurveKeyPair.init", errno: EINVAL)
        }
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    private init(checkedPublicKey: String, secretKey: String) {
        self.publicKey = checkedPublicKey
        self.secretKey = secretKey
    }

    /// Generates a new random key pair (`zmq_curve_keypair`).
    /// - Throws: ``ZMQError`` with `ENOTSUP` if libzmq was built without CURVE.
    public static func generate() throws -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        try zmqCall("zmq_curve_keypair") { zmq_curve_keypair(&publicKey, &secretKey) }
        return CurveKeyPair(
            checkedPublicKey: stringFromCBuffer(publicKey),
            secretKey: stringFromCBuffer(secretKey)
        )
    }

    /// Derives the public key belonging to a secret key (`zmq_curve_public`).
    /// - Parameters:
    ///   - fromSecret: The secret key, 40 Z85 characters.
    /// - Returns: The public key, 40 Z85 characters.
    /// - Throws: ``ZMQError`` with `EINVAL` for a malformed key, `ENOTSUP` without CURVE.
    public static func publicKey(fromSecret secretKey: String) throws -> String {
        guard isValidKey(secretKey) else {
            throw ZMQError(function: "zmq_curve_public", errno: EINVAL)
        }
        var publicKey = [CChar](repeating: 0, count: 41)
        try zmqCall("zmq_curve_public") { zmq_curve_public(&publicKey, secretKey) }
        return stringFromCBuffer(publicKey)
    }

    /// Why `publicKey` and `secretKey` do not make a key pair, in words for an error message
    /// (``init(publicKey:secretKey:)`` throws `EINVAL` for all of these), nil when they do.
    public static func problem(publicKey: String, secretKey: String) -> String? {
        if !isValidKey(publicKey) { return "its public key is not 40 Z85 characters encoding 32 bytes" }
        if !isValidKey(secretKey) { return "its secret key is not 40 Z85 characters encoding 32 bytes" }
        guard let derived = try? Self.publicKey(fromSecret: secretKey) else { return "its secret key cannot be used" }
        return derived == publicKey ? nil : "its public key is not the one of its secret key (the two come from different key pairs)"
    }

    /// Whether `key` is 40 Z85 characters encoding 32 bytes.
    static func isValidKey(_ key: String) -> Bool {
        key.utf8.count == 40 && Z85.decode(key)?.count == 32
    }

    public var description: String {
        "CurveKeyPair(publicKey: \(publicKey), secretKey: <redacted>)"
    }
}
