import Foundation
import HubCore

/// A report as JSON (`swhub report --format json`), keys sorted:
///
/// ```
/// {"format": "swhub-statistics-report/1", "title": …, "period": "2026-11",
///  "enterprise": "1101E00001" (absent: all), "journal_seq": 1234,
///  "sections": [{"id": "summary", "title": …, "note": …,
///                "columns": [{"id": "outcome", "title": …, "kind": "text"}, …],
///                "rows": [{"outcome": "declared", "declarations": 120, "cny": "15010.00", …}, …]}, …]}
/// ```
///
/// A `count` column is a JSON number, a `money` column a decimal string with two decimals
/// (no rounding through binary floating point), a `text` column a string; no value (a
/// currency without a CNY rate) is `null`. Section and column ids are listed in README.
public enum ReportJSON {
    /// The format's name and version; a change that breaks readers changes the version.
    public static let format = "swhub-statistics-report/1"

    public static func data(_ report: StatisticsReport) throws -> Data {
        var object: [String: Any] = [
            "format": format, "title": report.title, "period": report.period.description,
            "journal_seq": report.lastSeq,
            "sections": report.sections.map { section -> [String: Any] in
                [
                    "id": section.id, "title": section.title, "note": section.note,
                    "columns": section.columns.map { ["id": $0.id, "title": $0.title, "kind": $0.kind.rawValue] },
                    "rows": section.rows.map { row -> [String: Any] in
                        var fields: [String: Any] = [:]
                        for (column, value) in zip(section.columns, row) {
                            switch value {
                            case .count(let count): fields[column.id] = count
                            case .blank: fields[column.id] = NSNull()
                            default: fields[column.id] = value.text
                            }
                        }
                        return fields
                    },
                ]
            },
        ]
        if let enterprise = report.enterprise { object["enterprise"] = enterprise }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
    }
}
