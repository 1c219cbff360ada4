/// Currency codes between ISO 4217 (banks, post: "CNY", "USD") and the customs parameter
/// table 币制代码 the hub's messages use ("142", "502").
///
/// The table holds the common currencies of cross-border e-commerce only; an ISO code it
/// does not know is refused (``FormatError/Code-swift.struct/invalidValue``) rather than
/// guessed. A three-digit customs code is passed through as it is, known or not: the
/// customs table is longer than this one and customs checks its own codes.
public enum CurrencyCode {
    /// ISO 4217 alphabetic code → customs currency code.
    public static let customsByISO: [String: String] = [
        "HKD": "110", "JPY": "116", "MOP": "121", "MYR": "122", "SGD": "132", "KRW": "133",
        "THB": "136", "CNY": "142", "TWD": "143", "EUR": "300", "DKK": "302", "GBP": "303",
        "NOK": "326", "SEK": "330", "CHF": "331", "RUB": "344", "CAD": "501", "USD": "502",
        "AUD": "601", "NZD": "609",
    ]

    /// Customs currency code → ISO 4217 alphabetic code.
    public static let isoByCustoms: [String: String] = Dictionary(
        uniqueKeysWithValues: customsByISO.map { ($0.value, $0.key) }
    )

    /// The customs code of an ISO 4217 code ("USD" → "502"), nil when not in the table.
    public static func customs(fromISO iso: String) -> String? { customsByISO[iso.uppercased()] }

    /// The ISO 4217 code of a customs code ("502" → "USD"), nil when not in the table.
    public static func iso(fromCustoms code: String) -> String? { isoByCustoms[code] }

    /// The customs code of an ISO code, or a `FormatError.invalidValue` at `location`.
    static func customsCode(forISO iso: String, at location: String) throws -> String {
        guard let code = customs(fromISO: iso) else {
            throw FormatError(.invalidValue, at: location, "currency '\(iso)' has no customs currency code in the table")
        }
        return code
    }

    /// The ISO code of a customs code, or a `FormatError.invalidValue` at `location`.
    static func isoCode(forCustoms code: String, at location: String) throws -> String {
        guard let iso = iso(fromCustoms: code) else {
            throw FormatError(.invalidValue, at: location, "customs currency '\(code)' has no ISO 4217 code in the table")
        }
        return iso
    }

    /// A currency cell of a department file as a customs code: "" stays "", three digits
    /// pass through, an ISO code is mapped, anything else is refused.
    static func normalizedToCustoms(_ value: String, at location: String) throws -> String {
        if value.isEmpty { return value }
        if value.count == 3, value.allSatisfy({ $0.isASCII && $0.isNumber }) { return value }
        return try customsCode(forISO: value, at: location)
    }
}
