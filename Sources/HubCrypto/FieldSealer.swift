/// Authenticated encryption of one field value with a data key (AES-256-GCM or SM4-GCM,
/// by the key's suite), bound to the record and field it belongs to.
///
/// The associated data names where the value lives (``associatedData(messageID:fieldPath:)``:
/// the message id and the field's path), so a sealed value copied into another record or
/// field no longer opens. The result is a ``SealedValue``'s bytes: it names its format
/// version, suite and data key, so the key to open it can be found from the value alone.
public enum FieldSealer {
    /// Seals `plaintext` with `key` and a fresh random nonce.
    /// - Parameters:
    ///   - plaintext: the field's value.
    ///   - key: the enterprise's current data key.
    ///   - associatedData: where the value lives (``associatedData(messageID:fieldPath:)``).
    /// - Returns: the sealed value's bytes.
    public static func seal(_ plaintext: [UInt8], with key: DataKey, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        let header = SealedValue.header(suite: key.suite, keyID: key.id)
        let nonce = AEAD.randomNonce()
        let box = try key.prepared.seal(nonce: nonce, plaintext: plaintext, associatedData: header + associatedData)
        var sealed: [UInt8] = []
        sealed.reserveCapacity(header.count + nonce.count + box.ciphertext.count + box.tag.count)
        sealed += header
        sealed += nonce
        sealed += box.ciphertext
        sealed += box.tag
        return sealed
    }

    /// Opens sealed bytes with `key`.
    /// - Parameters:
    ///   - sealed: what ``seal(_:with:associatedData:)`` returned.
    ///   - key: the data key the value names (``SealedValue/keyID``).
    ///   - associatedData: the same associated data it was sealed with.
    /// - Throws: ``CryptoError`` `malformedSealedValue` for bytes that are not a sealed value;
    ///   `invalidKey` when `key` is not the key the value names; `authenticationFailed` for
    ///   a wrong key, wrong associated data or damaged bytes.
    public static func open(_ sealed: some Collection<UInt8>, with key: DataKey, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try open(try SealedValue(bytes: sealed), with: key, associatedData: associatedData)
    }

    /// Opens a parsed sealed value with `key`, with the same checks as opening its bytes.
    public static func open(_ value: SealedValue, with key: DataKey, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard key.id == value.keyID, key.suite == value.suite else {
            throw CryptoError(
                .invalidKey,
                "the value was sealed with data key \(value.keyID) (\(value.suite.algorithm)), not \(key.id) (\(key.suite.algorithm))")
        }
        return try key.prepared.open(nonce: value.nonce, box: value.box, associatedData: value.header + associatedData)
    }

    /// The associated data of a field value: the message id and the field's path, each
    /// length-prefixed (4 bytes, big-endian) so that no two pairs give the same bytes.
    public static func associatedData(messageID: String, fieldPath: String) -> [UInt8] {
        var bytes = Array("swhub-field-v1".utf8)
        for part in [messageID, fieldPath] {
            let utf8 = Array(part.utf8)
            bytes += withUnsafeBytes(of: UInt32(utf8.count).bigEndian) { Array($0) }
            bytes += utf8
        }
        return bytes
    }
}
