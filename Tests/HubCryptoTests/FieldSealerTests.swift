import HubCrypto
import Testing

/// Sealed field values: self-describing (version, suite, key id), bound to their record and
/// field, and never a crash on damaged bytes.
@Suite struct FieldSealerTests {
    static let idNumber = Array("110101199003077777".utf8)
    static let here = FieldSealer.associatedData(messageID: "order-1", fieldPath: "buyer.id_number")

    static func key(_ suite: CipherSuite, version: UInt32 = 3) throws -> DataKey {
        try DataKey.random(id: DataKeyID(enterprise: "ent-1", version: version), suite: suite)
    }

    @Test(arguments: CipherSuite.allCases)
    func aValueSealsAndOpensAndNamesItsKey(suite: CipherSuite) throws {
        let key = try Self.key(suite)
        let sealed = try FieldSealer.seal(Self.idNumber, with: key, associatedData: Self.here)
        let value = try SealedValue(bytes: sealed)
        #expect(value.suite == suite && value.keyID == key.id && value.nonce.count == 12 && value.box.tag.count == 16)
        #expect(sealed.first == SealedValue.formatVersion)
        #expect(sealed.count == 3 + 5 + 4 + 12 + Self.idNumber.count + 16)
        #expect(try FieldSealer.open(sealed, with: key, associatedData: Self.here) == Self.idNumber)
        let plaintextInside = sealed.indices.contains { start in sealed[start...].starts(with: Self.idNumber) }
        #expect(!plaintextInside)
        let again = try FieldSealer.seal(Self.idNumber, with: key, associatedData: Self.here)
        #expect(again != sealed, "a fresh nonce each time")
    }

    @Test(arguments: CipherSuite.allCases)
    func aValueMovedToAnotherRecordOrFieldDoesNotOpen(suite: CipherSuite) throws {
        let key = try Self.key(suite)
        let sealed = try FieldSealer.seal(Self.idNumber, with: key, associatedData: Self.here)
        for elsewhere in [
            FieldSealer.associatedData(messageID: "order-2", fieldPath: "buyer.id_number"),
            FieldSealer.associatedData(messageID: "order-1", fieldPath: "consignee.id_number"),
            FieldSealer.associatedData(messageID: "order-1buyer.", fieldPath: "id_number"),
        ] {
            #expect(
                failure { () throws(CryptoError) in try FieldSealer.open(sealed, with: key, associatedData: elsewhere) }
                    == .authenticationFailed)
        }
    }

    @Test(arguments: CipherSuite.allCases)
    func theWrongKeyIsRefused(suite: CipherSuite) throws {
        let key = try Self.key(suite)
        let sealed = try FieldSealer.seal(Self.idNumber, with: key, associatedData: Self.here)
        let sameIDOtherBytes = try Self.key(suite)
        #expect(
            failure { () throws(CryptoError) in try FieldSealer.open(sealed, with: sameIDOtherBytes, associatedData: Self.here) }
                == .authenticationFailed)
        let otherVersion = try Self.key(suite, version: 4)
        #expect(
            failure { () throws(CryptoError) in try FieldSealer.open(sealed, with: otherVersion, associatedData: Self.here) } == .invalidKey
        )
    }

    /// Every single-byte change and every truncation is an error with a code: the header
    /// (version, suite, key id) is authenticated with the value.
    @Test(arguments: CipherSuite.allCases)
    func everyDamagedOrTruncatedValueIsAnErrorNotACrash(suite: CipherSuite) throws {
        let key = try Self.key(suite)
        let sealed = try FieldSealer.seal(Self.idNumber, with: key, associatedData: Self.here)
        var opened = 0
        for index in sealed.indices {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = sealed
                damaged[index] ^= flip
                if failure({ () throws(CryptoError) in try FieldSealer.open(damaged, with: key, associatedData: Self.here) }) == nil {
                    opened += 1
                }
            }
        }
        for length in 0..<sealed.count {
            let cut = Array(sealed.prefix(length))
            if failure({ () throws(CryptoError) in try FieldSealer.open(cut, with: key, associatedData: Self.here) }) == nil { opened += 1 }
        }
        #expect(opened == 0)
    }

    @Test func foreignBytesAreMalformed() {
        for bytes: [UInt8] in [[], [1], [2, 1, 1, 65], Array(repeating: 0, count: 64), [1, 9] + Array(repeating: 1, count: 40)] {
            #expect(failure { () throws(CryptoError) in try SealedValue(bytes: bytes) } == .malformedSealedValue)
        }
    }

    @Test func keysNeverShowTheirBytes() throws {
        let key = try Self.key(.standard)
        #expect(!"\(key)".contains(Hex.text(key.bytes)) && "\(key)".contains("ent-1#3"))
        #expect(failure { () throws(CryptoError) in try DataKey(id: key.id, suite: .sm, bytes: key.bytes) } == .invalidKey)
    }
}
