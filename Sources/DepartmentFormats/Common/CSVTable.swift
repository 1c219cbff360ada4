import CSV
import Foundation

/// One data row of a department CSV file, with the line it starts on.
struct CSVRecord {
    /// The physical line the record starts on (the header is line 1; a quoted field with
    /// line breaks makes a record span several lines).
    let line: Int
    let fields: [String]
    let columns: [String: Int]

    /// The cell of `column` (a header name), "" when the row is shorter than the header.
    func value(_ column: String) -> String {
        guard let index = columns[column.lowercased()], index < fields.count else { return "" }
        return fields[index]
    }

    /// "line N, column X", the location of a cell in a `FormatError`.
    func location(_ column: String) -> String { "line \(line), column \(column)" }

    /// The trimmed cell of `column`; a `FormatError.missingField` when it is empty.
    func required(_ column: String) throws -> String {
        let text = value(column).trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw FormatError(.missingField, at: location(column), "\(column) is empty") }
        return text
    }

    /// The trimmed cell of `column`, "" when absent.
    func optional(_ column: String) -> String { value(column).trimmingCharacters(in: .whitespaces) }
}

/// Reading and writing the department CSV files (tax, forex, post) with CSV.swift: UTF-8,
/// a header row naming the columns, RFC 4180 quoting (embedded commas, quotes, line breaks).
/// A UTF-8 byte order mark at the start is skipped. Columns are found by header name
/// (trimmed, case-insensitive), so their order is free and extra columns are ignored.
enum CSVTable {
    /// The data records of a CSV file whose header names every one of `requiredColumns`.
    /// Blank lines are skipped.
    /// - Throws: `FormatError.syntax` (not UTF-8, an unterminated quoted field, text after a
    ///   closing quote, more fields than the header) or `.missingField` (no header, or a
    ///   required column absent from it: "line 1, column X").
    static func read(_ data: [UInt8], requiredColumns: [String]) throws -> [CSVRecord] {
        guard var text = String(bytes: data, encoding: .utf8) else {
            throw FormatError(.syntax, "the file is not UTF-8 text")
        }
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        let starts = try recordStartLines(text)
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: false)
        } catch {
            throw FormatError(.syntax, "the file cannot be read as CSV")
        }
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        var lines = Array(zip(starts, rows))
        while let first = lines.first, isBlank(first.1) { lines.removeFirst() }
        guard let header = lines.first else { throw FormatError(.missingField, at: "line 1", "no header row") }
        var columns: [String: Int] = [:]
        for (index, name) in header.1.enumerated() {
            let key = name.trimmingCharacters(in: .whitespaces).lowercased()
            if columns[key] == nil { columns[key] = index }
        }
        for column in requiredColumns where columns[column.lowercased()] == nil {
            throw FormatError(.missingField, at: "line \(header.0), column \(column)", "the header has no column \(column)")
        }
        return try lines.dropFirst().compactMap { line, fields in
            if isBlank(fields) { return nil }
            guard fields.count <= header.1.count else {
                throw FormatError(.syntax, at: "line \(line)", "\(fields.count) fields, the header has \(header.1.count)")
            }
            return CSVRecord(line: line, fields: fields, columns: columns)
        }
    }

    /// A CSV file: the header and the rows, CRLF line ends (RFC 4180) after every row,
    /// fields quoted when they hold a comma, a quote or a line break.
    /// - Parameter byteOrderMark: start with a UTF-8 byte order mark (for spreadsheet
    ///   programs that otherwise guess a legacy encoding).
    static func write(header: [String], rows: [[String]], byteOrderMark: Bool = false) throws -> [UInt8] {
        let stream = OutputStream(toMemory: ())
        var output: [UInt8] = byteOrderMark ? [0xEF, 0xBB, 0xBF] : []
        do {
            let writer = try CSVWriter(stream: stream, newline: .crlf)
            try writer.write(row: header)
            for row in rows { try writer.write(row: row) }
            guard let data = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else {
                throw FormatError(.unsupported, "the CSV writer produced no data")
            }
            output += [UInt8](data)
        } catch let error as FormatError {
            throw error
        } catch {
            throw FormatError(.unsupported, "the CSV writer failed: \(error)")
        }
        stream.close()
        return output + [0x0D, 0x0A]
    }

    private static func isBlank(_ fields: [String]) -> Bool {
        fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// The line each record starts on, with the record boundaries CSV.swift's reader uses
    /// (a field is quoted when it starts with a quote; CR, LF and CRLF end a record outside
    /// quotes). Also refuses what that reader would silently accept: an unterminated quoted
    /// field and text after a closing quote.
    static func recordStartLines(_ text: String) throws -> [Int] {
        let scalars = Array(text.unicodeScalars)
        var starts: [Int] = []
        var line = 1
        var recordStart = true
        var fieldStart = true
        var quotedSince: Int?
        var index = 0
        func lineBreak() {
            if scalars[index] == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
            line += 1
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if recordStart {
                starts.append(line)
                recordStart = false
            }
            if quotedSince != nil {
                if scalar == "\"" {
                    if index + 1 < scalars.count, scalars[index + 1] == "\"" {
                        index += 2
                        continue
                    }
                    quotedSince = nil
                    if index + 1 < scalars.count, !["," as Unicode.Scalar, "\r", "\n"].contains(scalars[index + 1]) {
                        throw FormatError(.syntax, at: "line \(line)", "text after a closing quote")
                    }
                } else if scalar == "\r" || scalar == "\n" {
                    lineBreak()
                }
                index += 1
                continue
            }
            if fieldStart, scalar == "\"" {
                quotedSince = line
                fieldStart = false
            } else if scalar == "," {
                fieldStart = true
            } else if scalar == "\r" || scalar == "\n" {
                lineBreak()
                recordStart = true
                fieldStart = true
            } else {
                fieldStart = false
            }
            index += 1
        }
        if let since = quotedSince {
            throw FormatError(.syntax, at: "line \(since)", "a quoted field is not closed")
        }
        return starts
    }
}
