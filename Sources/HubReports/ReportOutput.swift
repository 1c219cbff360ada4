import Foundation
import HubCore

/// The formats of `swhub report` and what each needs.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// The HTML page printed by headless Chromium (Debian's `chromium`), charts by gnuplot.
    case pdf
    /// One CSV file, one line per cell (``ReportCSV``).
    case csv
    /// ``ReportJSON``.
    case json
    /// The page the PDF is printed from (charts by gnuplot), as the monitor serves it.
    case html

    /// The programs the format runs.
    public var tools: [ReportTool] {
        switch self {
        case .pdf: [.gnuplot, .chromium]
        case .html: [.gnuplot]
        case .csv, .json: []
        }
    }
}

/// Makes a report's bytes in a format, in a scratch folder of its own that is removed after.
public enum ReportOutput {
    /// The report in `format`.
    ///
    /// - Throws: ``ReportError`` (a missing program is found before anything runs).
    public static func data(_ report: StatisticsReport, format: ReportFormat, form: Bool = false) throws -> Data {
        for tool in format.tools { _ = try tool.locate() }
        switch format {
        case .json: return try ReportJSON.data(report)
        case .csv: return try ReportCSV.data(report)
        case .html: return try scratch { folder in Data(try html(report, in: folder, form: form).utf8) }
        case .pdf: return try scratch { folder in try pdf(report, in: folder) }
        }
    }

    /// The HTML page with its charts drawn in `folder`.
    public static func html(_ report: StatisticsReport, in folder: URL, form: Bool = false) throws -> String {
        let charts = try ReportCharts.draw(report.sections, in: folder)
        return try ReportHTML.render(report, charts: charts, form: form)
    }

    /// The page printed to PDF by headless Chromium.
    static func pdf(_ report: StatisticsReport, in folder: URL) throws -> Data {
        let page = folder.appendingPathComponent("report.html")
        let output = folder.appendingPathComponent("report.pdf")
        do {
            try html(report, in: folder).write(to: page, atomically: true, encoding: .utf8)
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError(.writeFailed, "cannot write the page in \(folder.path): \(error)")
        }
        try ReportTool.chromium.run(
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--user-data-dir=\(folder.appendingPathComponent("chromium-profile").path)", "--no-pdf-header-footer",
                "--print-to-pdf=\(output.path)", page.absoluteString,
            ], log: folder.appendingPathComponent("chromium.log"))
        guard let data = FileManager.default.contents(atPath: output.path), data.starts(with: Data("%PDF".utf8)) else {
            throw ReportError(.toolFailed, "chromium wrote no PDF")
        }
        return data
    }

    /// Runs `body` with a new scratch folder, removed after.
    public static func scratch<T>(_ body: (URL) throws -> T) throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-report-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ReportError(.writeFailed, "cannot make a scratch folder \(folder.path): \(error)")
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        return try body(folder)
    }
}
