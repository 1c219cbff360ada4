/// Checks of the decimal strings the hub carries amounts, quantities and weights in
/// (business.proto: xs:decimal, up to 19 digits with up to 5 decimals, never floating point).
enum DecimalText {
    /// True for an unsigned decimal: digits, optionally a point and 1...`maxFraction`
    /// digits, at most `maxDigits` digits in all ("12", "0.5", "12345.12345").
    static func isValid(_ text: String, maxDigits: Int = 19, maxFraction: Int = 5) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty else { return false }
        let fraction = parts.count == 2 ? parts[1] : ""
        if parts.count == 2, fraction.isEmpty { return false }
        let isDigits: (Substring) -> Bool = { $0.unicodeScalars.allSatisfy { $0.value >= 48 && $0.value <= 57 } }
        return isDigits(whole) && isDigits(fraction) && fraction.count <= maxFraction
            && whole.count + fraction.count <= maxDigits
    }

    /// `text` when it is a valid decimal, else a `FormatError.invalidValue` at `location`.
    static func checked(_ text: String, at location: String, maxDigits: Int = 19) throws -> String {
        guard isValid(text, maxDigits: maxDigits) else {
            throw FormatError(.invalidValue, at: location, "'\(text)' is not a decimal number (digits, at most 5 decimals)")
        }
        return text
    }

    /// True when the decimal is zero ("0", "0.00").
    static func isZero(_ text: String) -> Bool { text.allSatisfy { $0 == "0" || $0 == "." } }
}
