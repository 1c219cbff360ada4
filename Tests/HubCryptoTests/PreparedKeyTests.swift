import Foundation
import HubCrypto
import Testing

/// A data key is set up once (AES's key object, SM4-GCM's libgcrypt handle) and used for
/// every value: values sealed one after another, interleaved with opens and failed opens,
/// and from several threads at once, all open to what was sealed.
@Suite struct PreparedKeyTests {
    static func key(_ suite: CipherSuite) throws -> DataKey {
        try DataKey.random(id: DataKeyID(enterprise: "ent-prepared", version: 1), suite: suite)
    }

    static func value(_ index: Int) -> [UInt8] {
        Array("id-number-\(index)-".utf8) + [UInt8](repeating: UInt8(index % 251), count: index % 40)
    }

    static func place(_ index: Int) -> [UInt8] { FieldSealer.associatedData(messageID: "m-\(index)", fieldPath: "buyer.id_number") }

    @Test(arguments: CipherSuite.allCases)
    func sealsAndOpensInterleavedWithFailuresStayCorrect(suite: CipherSuite) throws {
        let key = try Self.key(suite)
        var sealed: [[UInt8]] = []
        for index in 0..<200 {
            sealed.append(try FieldSealer.seal(Self.value(index), with: key, associatedData: Self.place(index)))
            // A failed open (wrong place) between two seals leaves nothing behind in the key.
            #expect(throws: CryptoError.self) { try FieldSealer.open(sealed[index], with: key, associatedData: Self.place(index + 1)) }
            if index > 0 {
                #expect(try FieldSealer.open(sealed[index - 1], with: key, associatedData: Self.place(index - 1)) == Self.value(index - 1))
            }
        }
        for index in sealed.indices.reversed() {
            #expect(try FieldSealer.open(sealed[index], with: key, associatedData: Self.place(index)) == Self.value(index))
        }
    }

    @Test(arguments: CipherSuite.allCases)
    func oneKeyUsedFromSeveralThreadsAtOnce(suite: CipherSuite) async throws {
        let key = try Self.key(suite)
        let wrong = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var wrong = 0
                    for round in 0..<300 {
                        let index = worker * 1_000 + round
                        let sealed = try FieldSealer.seal(Self.value(index), with: key, associatedData: Self.place(index))
                        if try FieldSealer.open(sealed, with: key, associatedData: Self.place(index)) != Self.value(index) { wrong += 1 }
                    }
                    return wrong
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(wrong == 0)
    }

    @Test(arguments: CipherSuite.allCases)
    func noncesDoNotRepeat(suite: CipherSuite) throws {
        let key = try Self.key(suite)
        var nonces = Set<[UInt8]>()
        for index in 0..<2_000 {
            nonces.insert(
                try SealedValue(bytes: try FieldSealer.seal(Self.value(index), with: key, associatedData: Self.place(index))).nonce)
        }
        #expect(nonces.count == 2_000)
    }
}
