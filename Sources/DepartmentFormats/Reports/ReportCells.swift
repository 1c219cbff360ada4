import HubProtocol
import SwiftProtobuf

/// The cell rules shared by the tax and forex result files.
enum ReportCells {
    /// `accepted` or `1` → accepted, `refused` or `0` → refused, `pending` → pending
    /// (case-insensitive); anything else, or empty, is an error.
    static func decision(_ record: CSVRecord, _ column: String) throws -> BizDecision {
        let text = try record.required(column)
        switch text.lowercased() {
        case "accepted", "1": return .accepted
        case "refused", "0": return .refused
        case "pending": return .pending
        default:
            throw FormatError(.invalidValue, at: record.location(column), "'\(text)' is not accepted/1, refused/0 or pending")
        }
    }

    /// A date as YYYYMMDD, from `YYYYMMDD` or `YYYY-MM-DD`; "" when empty and not required.
    static func date(_ record: CSVRecord, _ column: String, required: Bool) throws -> String {
        let text = required ? try record.required(column) : record.optional(column)
        if text.isEmpty { return "" }
        let iso =
            text.count == 8 && !text.contains("-")
            ? "\(text.prefix(4))-\(text.dropFirst(4).prefix(2))-\(text.suffix(2))" : text
        guard let time = ISODateTime.cebTime(iso, utcOffsetMinutes: 0), iso.count == 10 else {
            throw FormatError(.invalidValue, at: record.location(column), "'\(text)' is not a date (YYYYMMDD or YYYY-MM-DD)")
        }
        return String(time.prefix(8))
    }

    /// A decimal amount; "" when empty and not required.
    static func amount(_ record: CSVRecord, _ column: String, required: Bool) throws -> String {
        let text = required ? try record.required(column) : record.optional(column)
        if text.isEmpty { return "" }
        return try DecimalText.checked(text, at: record.location(column))
    }

    /// A currency as a customs code: three digits as they are, an ISO code mapped.
    static func currency(_ record: CSVRecord, _ column: String) throws -> String {
        try CurrencyCode.normalizedToCustoms(record.optional(column), at: record.location(column))
    }

    /// The inbound document of a message read from the record's line.
    static func document(_ message: some SwiftProtobuf.Message, type: String, line: Int) throws -> InboundDocument {
        do {
            return InboundDocument(type: type, body: try message.serializedBytes(), position: "line \(line)")
        } catch {
            throw FormatError(.unsupported, at: "line \(line)", "the message cannot be serialized: \(error)")
        }
    }

    /// The first eight characters of a CEB time (YYYYMMDD of YYYYMMDDhhmmss[SSS]), "" when
    /// it is shorter.
    static func day(_ cebTime: String) -> String { cebTime.count >= 8 ? String(cebTime.prefix(8)) : "" }
}
