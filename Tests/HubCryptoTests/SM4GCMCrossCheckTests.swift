import Foundation
import HubCrypto
import Testing

/// HubCrypto's SM4-GCM against vectors Python's `cryptography` made: run by
/// Scripts/sm4gcm-crosscheck.sh, which names the vectors' file in SWHUB_SM4GCM_VECTORS
/// (the suite is off otherwise; the known-answer tests always run).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SWHUB_SM4GCM_VECTORS"] != nil))
struct SM4GCMCrossCheckTests {
    @Test func everyVectorSealsAndOpensAlike() throws {
        let path = try #require(ProcessInfo.processInfo.environment["SWHUB_SM4GCM_VECTORS"])
        let vectors = try JSONDecoder().decode([[String: String]].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(!vectors.isEmpty)
        var mismatches = 0
        for vector in vectors {
            let field = { (name: String) in Hex.bytes(vector[name] ?? "") }
            let box = try AEAD.seal(
                suite: .sm, key: field("key"), nonce: field("nonce"), plaintext: field("plaintext"), associatedData: field("aad"))
            let opened = try AEAD.open(
                suite: .sm, key: field("key"), nonce: field("nonce"), box: AEAD.Box(ciphertext: field("ciphertext"), tag: field("tag")),
                associatedData: field("aad"))
            if box.ciphertext != field("ciphertext") || box.tag != field("tag") || opened != field("plaintext") { mismatches += 1 }
        }
        #expect(mismatches == 0, "\(mismatches) of \(vectors.count) vectors differ")
    }
}
