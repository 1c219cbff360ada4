import CSV
import Foundation
import HubCore

/// A report as one CSV file (`swhub report --format csv`), RFC 4180 (CSV.swift's writer:
/// CRLF, fields quoted when they hold a comma, a quote or a line break), one line per cell:
///
/// ```
/// section,key,column,value
/// summary,declared,declarations,120
/// summary,declared,cny,15010.00
/// by_day,2026-11-01,declared,4
/// ```
///
/// `key` is the row's first column (an outcome, a day, a mode, a code), `column` and
/// `section` the ids of the JSON form, `value` as there (money with two decimals; empty for
/// no value). One file in the long form holds every section, whatever its columns, and a
/// spreadsheet's pivot table turns any section back into its table.
public enum ReportCSV {
    public static let header = ["section", "key", "column", "value"]

    public static func data(_ report: StatisticsReport) throws -> Data {
        let stream = OutputStream(toMemory: ())
        stream.open()
        do {
            let writer = try CSVWriter(stream: stream, newline: .crlf)
            try writer.write(row: header)
            for section in report.sections {
                for row in section.rows {
                    let key = row.first?.text ?? ""
                    for (column, value) in zip(section.columns, row).dropFirst() {
                        try writer.write(row: [section.id, key, column.id, value.text])
                    }
                }
            }
        } catch {
            throw ReportError(.writeFailed, "the CSV writer failed: \(error)")
        }
        guard let data = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else {
            throw ReportError(.writeFailed, "the CSV writer produced no data")
        }
        stream.close()
        return data + Data([0x0D, 0x0A])
    }
}
