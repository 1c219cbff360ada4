import Foundation

extension CN23Consignment {
    /// Checks the values a CN23 file gives.
    /// - Parameter locate: turns a field path ("orderNo", "addressee.name",
    ///   "items[2].value") into the error location of the encoding read.
    /// - Throws: `FormatError.missingField` (consignmentId, orderNo, addressee name, an
    ///   item's description) or `.invalidValue` (a decimal, currency, country, HS number or
    ///   count that breaks its format).
    func check(_ locate: (String) -> String) throws {
        for (field, value) in [("consignmentId", consignmentId), ("orderNo", orderNo), ("addressee.name", addressee.name)]
        where value.trimmingCharacters(in: .whitespaces).isEmpty {
            throw FormatError(.missingField, at: locate(field), "\(field) is empty")
        }
        try Self.decimal(totalGrossWeight, locate("totalGrossWeight"))
        try Self.decimal(postage, locate("postage"))
        try Self.currency(currency, locate("currency"))
        try Self.country(sender.country, locate("sender.country"))
        try Self.country(addressee.country, locate("addressee.country"))
        if let parcels, parcels < 1 { throw FormatError(.invalidValue, at: locate("parcels"), "parcels must be at least 1") }
        for (index, item) in items.enumerated() {
            let prefix = "items[\(index + 1)]."
            if item.description.trimmingCharacters(in: .whitespaces).isEmpty {
                throw FormatError(.missingField, at: locate(prefix + "description"), "the item has no description")
            }
            if let quantity = item.quantity, quantity < 1 {
                throw FormatError(.invalidValue, at: locate(prefix + "quantity"), "quantity must be at least 1")
            }
            try Self.decimal(item.netWeight, locate(prefix + "netWeight"))
            try Self.decimal(item.value, locate(prefix + "value"))
            try Self.currency(item.currency, locate(prefix + "currency"))
            try Self.country(item.originCountry, locate(prefix + "originCountry"))
            let digits = item.hsTariffNumber.filter { $0 != "." }
            if !item.hsTariffNumber.isEmpty, !(6...10).contains(digits.count) || !digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
                throw FormatError(
                    .invalidValue, at: locate(prefix + "hsTariffNumber"),
                    "'\(item.hsTariffNumber)' is not an HS tariff number (6 to 10 digits)")
            }
        }
    }

    private static func decimal(_ value: String, _ location: String) throws {
        if !value.isEmpty { _ = try DecimalText.checked(value, at: location) }
    }

    private static func currency(_ value: String, _ location: String) throws {
        if !value.isEmpty, !(value.count == 3 && value.allSatisfy { $0.isASCII && $0.isUppercase }) {
            throw FormatError(.invalidValue, at: location, "'\(value)' is not an ISO 4217 currency code")
        }
    }

    private static func country(_ value: String, _ location: String) throws {
        if !value.isEmpty, !(value.count == 2 && value.allSatisfy { $0.isASCII && $0.isUppercase }) {
            throw FormatError(.invalidValue, at: location, "'\(value)' is not an ISO 3166 alpha-2 country code")
        }
    }
}
