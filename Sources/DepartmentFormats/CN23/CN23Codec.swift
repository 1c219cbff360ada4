import Foundation
import HubProtocol
import SwiftProtobuf

/// The post's CN23 item data in two encodings, and its conversion to and from the hub's
/// waybill ("ceb.Waybill", BizWaybill):
/// - JSON lines: one ``CN23Consignment`` per line (UTF-8, keys as in its CodingKeys);
/// - CSV: one row per item with the consignment's columns repeated (``csvColumns``);
///   rows are grouped into consignments by consignmentId.
///
/// See `Docs/adapters/post-cn23.md` for the field mapping and what each direction loses.
public enum CN23Codec {
    /// The hub message type of the documents read.
    public static let documentType = MessageType.waybill.rawValue

    /// The file encodings.
    public enum Encoding: Sendable {
        case jsonLines
        case csv
    }

    /// The consignments of a JSON lines file, each checked; blank lines are skipped.
    /// - Throws: `FormatError` located "line N" (`.syntax` for a line that is not JSON),
    ///   "line N, field F" for a missing or bad value.
    public static func decodeJSONLines(_ data: [UInt8]) throws -> [CN23Consignment] {
        try jsonLines(data).map(\.1)
    }

    /// One line of JSON per consignment, "\n" after each; keys sorted, so the same
    /// consignments always give the same bytes.
    public static func encodeJSONLines(_ consignments: [CN23Consignment]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var output: [UInt8] = []
        for consignment in consignments {
            do {
                output += try encoder.encode(consignment)
            } catch {
                throw FormatError(.unsupported, "consignment \(consignment.consignmentId) cannot be encoded: \(error)")
            }
            output.append(0x0A)
        }
        return output
    }

    /// Reads a file of the post into waybills, one per consignment, positioned "line N"
    /// (the consignment's line, or the first row of its group in CSV).
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - encoding: JSON lines or CSV.
    ///   - fileName: the file's name; with the position it makes each waybill's guid.
    ///   - options: the logistics company and direction.
    public static func read(
        _ data: [UInt8], encoding: Encoding, fileName: String, options: CN23Options
    ) throws -> [InboundDocument] {
        let consignments = try encoding == .csv ? csvConsignments(data) : jsonLines(data)
        return try consignments.map { line, consignment in
            let position = "line \(line)"
            let waybill = try waybill(from: consignment, options: options, guid: StableGUID.make("cn23", fileName, position))
            do {
                return InboundDocument(type: documentType, body: try waybill.serializedBytes(), position: position)
            } catch {
                throw FormatError(.unsupported, at: position, "the waybill cannot be serialized: \(error)")
            }
        }
    }

    /// Writes waybills as a CN23 file of the post, one consignment per waybill.
    public static func write(_ waybills: [BizWaybill], encoding: Encoding, options: CN23Options) throws -> [UInt8] {
        let consignments = try waybills.map { try consignment(from: $0, options: options) }
        return try encoding == .csv ? encodeCSV(consignments) : encodeJSONLines(consignments)
    }

    /// Consignments with the line each was read from.
    static func jsonLines(_ data: [UInt8]) throws -> [(Int, CN23Consignment)] {
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let decoder = JSONDecoder()
        var result: [(Int, CN23Consignment)] = []
        for (index, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let text = line.last == 0x0D ? line.dropLast() : line
            if text.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let consignment: CN23Consignment
            do {
                consignment = try decoder.decode(CN23Consignment.self, from: Data(text))
            } catch let error as DecodingError {
                throw formatError(error, line: number)
            } catch {
                throw FormatError(.syntax, at: "line \(number)", "not JSON: \(error)")
            }
            try consignment.check { "line \(number), field \($0)" }
            result.append((number, consignment))
        }
        return result
    }

    /// A `FormatError` located at the line and the field a decoding error names.
    private static func formatError(_ error: DecodingError, line: Int) -> FormatError {
        func field(_ path: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            var text = ""
            for key in path + (last.map { [$0] } ?? []) {
                if let index = key.intValue {
                    text += "[\(index + 1)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return "line \(line)" + (text.isEmpty ? "" : ", field \(text)")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return FormatError(.missingField, at: field(context.codingPath, key), "\(key.stringValue) is missing")
        case .valueNotFound(_, let context):
            return FormatError(.missingField, at: field(context.codingPath), "the value is null")
        case .typeMismatch(_, let context):
            return FormatError(.invalidValue, at: field(context.codingPath), context.debugDescription)
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return FormatError(.syntax, at: "line \(line)", "not a JSON object")
        case .dataCorrupted(let context):
            return FormatError(.invalidValue, at: field(context.codingPath), context.debugDescription)
        @unknown default:
            return FormatError(.syntax, at: "line \(line)", "cannot be decoded")
        }
    }
}
