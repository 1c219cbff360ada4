import HubCrypto
import Testing

/// SM3 against the examples of its standard (GB/T 32905-2016, appendix A).
@Suite struct SM3Tests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test func standardExampleOne() throws {
        let digest = try SM3.hash(Array("abc".utf8))
        #expect(Self.hex(digest) == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    }

    @Test func standardExampleTwo() throws {
        let input = Array(String(repeating: "abcd", count: 16).utf8)
        #expect(Self.hex(try SM3.hash(input)) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
    }

    @Test func incrementalEqualsOneCall() throws {
        let input = Array(String(repeating: "abcd", count: 16).utf8)
        var hasher = try SM3()
        hasher.update(input[0..<5])
        input[5...].withUnsafeBytes { hasher.update($0) }
        #expect(hasher.finalize() == (try SM3.hash(input)))
    }

    @Test func severalBuffersInOneCallEqualTheirConcatenation() throws {
        let input = Array(String(repeating: "abcd", count: 16).utf8)
        let digest = try input[0..<3].withUnsafeBytes { first in
            try input[3..<40].withUnsafeBytes { second in try input[40...].withUnsafeBytes { try SM3.hash(first, second, $0) } }
        }
        #expect(Self.hex(digest) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
        let abc = try Array("abc".utf8).withUnsafeBytes { try SM3.hash($0, UnsafeRawBufferPointer(start: nil, count: 0)) }
        #expect(Self.hex(abc) == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    }
}
