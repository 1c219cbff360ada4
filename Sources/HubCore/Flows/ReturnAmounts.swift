import Foundation

/// Exact decimal arithmetic on the standard's decimal strings (digits, an optional point,
/// an optional leading minus) for returns: quantities taken off a released line and the
/// amount reversed pro rata of its total.
public enum ReturnAmounts {
    /// The value of a decimal string, nil when it is not one (``DeclarationMatcher/decimal(_:)``).
    static func value(_ text: String) -> Decimal? { DeclarationMatcher.decimal(text) }

    /// Whether a decimal string is zero (or not a number).
    static func isZero(_ text: String) -> Bool { (value(text) ?? 0) == 0 }

    /// How many decimals a decimal string has.
    static func scale(_ text: String) -> Int {
        guard let point = text.firstIndex(of: ".") else { return 0 }
        return text.distance(from: point, to: text.endIndex) - 1
    }

    /// `value` rounded half up to `scale` decimals and written with exactly that many.
    static func text(_ value: Decimal, scale: Int) -> String {
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, scale, .plain)
        let negative = rounded < 0
        let plain = (negative ? -rounded : rounded).description  // en_US_POSIX form: "12.5"
        let parts = plain.split(separator: ".", omittingEmptySubsequences: false)
        let whole = parts.first.map(String.init) ?? "0"
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        if fraction.count < scale { fraction += String(repeating: "0", count: scale - fraction.count) }
        let body = scale > 0 ? whole + "." + fraction.prefix(scale) : whole
        return (negative && rounded != 0 ? "-" : "") + body
    }

    /// The amount a return of `qty` of a line reverses: all that remains of the line's
    /// amount when `qty` is all that remains of it, else `totalPrice × qty / releasedQty`,
    /// rounded half up to the decimals of `totalPrice` (at least 2). Nil when a number is
    /// malformed or the released quantity is zero.
    ///
    /// - Parameters:
    ///   - qty: The quantity returned.
    ///   - releasedQty: The line's released quantity.
    ///   - totalPrice: The line's released total.
    ///   - remainingQty: What remains released of the line before this return.
    ///   - remainingAmount: What remains of its total before this return.
    public static func reversed(qty: String, releasedQty: String, totalPrice: String, remainingQty: String, remainingAmount: String)
        -> String?
    {
        guard let returned = value(qty), let released = value(releasedQty), released > 0, let total = value(totalPrice),
            let remaining = value(remainingQty)
        else { return nil }
        let scale = max(2, self.scale(totalPrice))
        if returned == remaining, let left = value(remainingAmount) { return text(left, scale: scale) }
        return text(total * returned / released, scale: scale)
    }

    /// `a − b`, written with the larger number of decimals of the two; nil when either is malformed.
    static func subtract(_ a: String, _ b: String) -> String? {
        guard let x = value(a), let y = value(b) else { return nil }
        return text(x - y, scale: max(scale(a), scale(b)))
    }
}
