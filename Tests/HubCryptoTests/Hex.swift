import HubCrypto

/// Hex text to bytes and back, for the tests' vectors.
enum Hex {
    static func bytes(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(digits[$0...$0 + 1]), radix: 16) }
    }

    static func text(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

/// The code `body` fails with, nil when it succeeds.
func failure<T>(_ body: () throws(CryptoError) -> T) -> CryptoError.Code? {
    do {
        _ = try body()
        return nil
    } catch {
        return error.code
    }
}
