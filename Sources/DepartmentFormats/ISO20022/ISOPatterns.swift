/// Patterns of ISO 20022 simple types that reading and writing share.
enum ISOPatterns {
    /// BICFIDec2014Identifier / AnyBICDec2014Identifier: 4 letters or digits (institution),
    /// 2 letters (country), 2 letters or digits (location), optionally 3 letters or digits
    /// (branch).
    static func isBIC(_ value: String) -> Bool {
        let scalars = Array(value.unicodeScalars)
        guard scalars.count == 8 || scalars.count == 11 else { return false }
        for (index, scalar) in scalars.enumerated() {
            let ok = (4..<6).contains(index) ? isUpper(scalar) : isUpper(scalar) || isDigit(scalar)
            if !ok { return false }
        }
        return true
    }

    /// UUIDv4Identifier (the UETR): lower-case hex 8-4-4-4-12, version 4, variant 8, 9, a or b.
    static func isUETR(_ value: String) -> Bool {
        let scalars = Array(value.unicodeScalars)
        guard scalars.count == 36 else { return false }
        for (index, scalar) in scalars.enumerated() {
            switch index {
            case 8, 13, 18, 23: if scalar != "-" { return false }
            case 14: if scalar != "4" { return false }
            case 19: if !["8", "9", "a", "b"].contains(scalar) { return false }
            default: if !(isDigit(scalar) || ("a"..."f").contains(scalar)) { return false }
            }
        }
        return true
    }

    /// A UETR derived from `parts`: the same parts give the same UETR (a settlement written
    /// again after a crash carries the same one).
    static func uetr(_ parts: String...) -> String {
        var hex = Array(StableGUID.make(parts).lowercased())
        hex[14] = "4"
        let variants: [Character] = ["8", "9", "a", "b"]
        hex[19] = variants[Int(hex[19].hexDigitValue ?? 0) % 4]
        return String(hex)
    }

    /// True when an ISODateTime ends with a numeric UTC offset (`+08:00`, `-05:00`), as
    /// CBPR+'s date-times must.
    static func hasUTCOffset(_ value: String) -> Bool {
        let scalars = Array(value.unicodeScalars)
        guard scalars.count >= 6 else { return false }
        let tail = scalars.suffix(6).map { $0 }
        return (tail[0] == "+" || tail[0] == "-") && isDigit(tail[1]) && isDigit(tail[2]) && tail[3] == ":" && isDigit(tail[4])
            && isDigit(tail[5])
    }

    private static func isUpper(_ scalar: Unicode.Scalar) -> Bool { ("A"..."Z").contains(scalar) }
    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
}
