import HubCrypto
import Testing

/// The two suites against published test vectors: AES-256-GCM (McGrew and Viega's GCM
/// paper, test case 16), the SM4 block cipher (GB/T 32907-2016, appendix A, both examples)
/// and SM4-GCM (RFC 8998, appendix A.1). Scripts/sm4gcm-crosscheck.sh also compares
/// SM4-GCM with Python's `cryptography` on random inputs.
@Suite struct AEADKnownAnswerTests {
    @Test func aes256GCMTestCase16() throws {
        let key = Hex.bytes("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let nonce = Hex.bytes("cafebabefacedbaddecaf888")
        let plaintext = Hex.bytes(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
        let aad = Hex.bytes("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let box = try AEAD.seal(suite: .standard, key: key, nonce: nonce, plaintext: plaintext, associatedData: aad)
        #expect(
            Hex.text(box.ciphertext)
                == "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
        )
        #expect(Hex.text(box.tag) == "76fc6ece0f4e1768cddf8853bb2d551b")
        #expect(try AEAD.open(suite: .standard, key: key, nonce: nonce, box: box, associatedData: aad) == plaintext)
    }

    @Test func sm4BlockCipherStandardExample() throws {
        let key = Hex.bytes("0123456789abcdeffedcba9876543210")
        #expect(Hex.text(try SM4GCM.encryptBlocks(key: key, blocks: key)) == "681edf34d206965e86b3e94f536e4246")
    }

    /// The standard's second example: the same block encrypted 1,000,000 times (about a
    /// second in a debug build).
    @Test func sm4BlockCipherMillionRounds() throws {
        let key = Hex.bytes("0123456789abcdeffedcba9876543210")
        #expect(Hex.text(try SM4GCM.encryptBlocks(key: key, blocks: key, rounds: 1_000_000)) == "595298c7c6fd271f0402f804c33d3f66")
    }

    @Test func sm4GCMRFC8998() throws {
        let key = Hex.bytes("0123456789ABCDEFFEDCBA9876543210")
        let nonce = Hex.bytes("00001234567800000000ABCD")
        let aad = Hex.bytes("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
        let plaintext = Hex.bytes(
            """
            AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFF\
            EEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA
            """)
        let box = try AEAD.seal(suite: .sm, key: key, nonce: nonce, plaintext: plaintext, associatedData: aad)
        #expect(
            Hex.text(box.ciphertext)
                == "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d"
        )
        #expect(Hex.text(box.tag) == "83de3541e4c2b58177e065a9bf7b62ec")
        #expect(try AEAD.open(suite: .sm, key: key, nonce: nonce, box: box, associatedData: aad) == plaintext)
    }

    @Test(arguments: CipherSuite.allCases)
    func aWrongKeyTagOrAssociatedDataDoesNotOpen(suite: CipherSuite) throws {
        let key = AEAD.randomBytes(suite.keyByteCount)
        let nonce = AEAD.randomNonce()
        let box = try AEAD.seal(suite: suite, key: key, nonce: nonce, plaintext: Array("110101199003077777".utf8), associatedData: [1])
        var otherKey = key
        otherKey[0] ^= 1
        var badTag = box
        badTag.tag[15] ^= 0x80
        var badText = box
        badText.ciphertext[3] ^= 1
        #expect(
            failure { () throws(CryptoError) in try AEAD.open(suite: suite, key: otherKey, nonce: nonce, box: box, associatedData: [1]) }
                == .authenticationFailed)
        #expect(
            failure { () throws(CryptoError) in try AEAD.open(suite: suite, key: key, nonce: nonce, box: box, associatedData: [2]) }
                == .authenticationFailed)
        #expect(
            failure { () throws(CryptoError) in try AEAD.open(suite: suite, key: key, nonce: nonce, box: badTag, associatedData: [1]) }
                == .authenticationFailed)
        #expect(
            failure { () throws(CryptoError) in try AEAD.open(suite: suite, key: key, nonce: nonce, box: badText, associatedData: [1]) }
                == .authenticationFailed)
    }

    @Test(arguments: CipherSuite.allCases)
    func anEmptyValueSealsAndOpens(suite: CipherSuite) throws {
        let key = AEAD.randomBytes(suite.keyByteCount)
        let nonce = AEAD.randomNonce()
        let box = try AEAD.seal(suite: suite, key: key, nonce: nonce, plaintext: [], associatedData: [])
        #expect(box.ciphertext.isEmpty && box.tag.count == 16)
        #expect(try AEAD.open(suite: suite, key: key, nonce: nonce, box: box, associatedData: []) == [])
    }

    @Test func keysOfTheWrongSizeAreRefused() {
        let error = #expect(throws: CryptoError.self) {
            try AEAD.seal(suite: .sm, key: AEAD.randomBytes(32), nonce: AEAD.randomNonce(), plaintext: [1], associatedData: [])
        }
        #expect(error?.code == .invalidKey)
    }
}
