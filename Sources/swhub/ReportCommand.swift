import ArgumentParser
import Foundation
import HubCore
import HubMonitor
import HubReports
import HubStore

extension ReportFormat: ExpressibleByArgument {}

/// `swhub report`: the trade statistics of a period as a report people read — PDF with
/// charts, CSV, JSON or HTML — from the statistics cache brought up to the journal's head
/// (as `swhub stats --trade`), with the discrepancy summary of the cross-verification (as
/// `swhub stats --reconcile`).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the trade statistics of a month, quarter or day as a report (PDF with charts, CSV, JSON or HTML).")

    @Option(help: "The hub's config file (its journal is read).")
    var config: String

    @Option(help: "A month (2026-11), a quarter (2026-Q4) or a day (2026-11-05).")
    var period: String

    @Option(help: "Only this enterprise's declarations (its ebc_code).")
    var enterprise: String?

    @Option(help: "pdf, csv, json or html.")
    var format: ReportFormat = .pdf

    @Option(help: "Where to write it; - for standard output (the default, but for pdf: swhub-report-PERIOD.pdf in the current folder).")
    var output: String?

    @Flag(help: "Fold the whole journal again instead of what it gained since the last call.")
    var rebuild = false

    func validate() throws {
        guard TradeReport.Period(period) != nil else {
            throw ValidationError("--period '\(period)' is not a month (2026-11), a quarter (2026-Q4) or a day (2026-11-05)")
        }
        if let enterprise, enterprise.isEmpty || enterprise.count > 64 || enterprise.contains(where: \.isWhitespace) {
            throw ValidationError("--enterprise takes an enterprise's code (ebc_code), 1 to 64 characters without spaces")
        }
    }

    func run() throws {
        let hubConfig = try HubConfig.load(path: config)
        let report = try Self.make(config: hubConfig, configPath: config, period: period, enterprise: enterprise, rebuild: rebuild)
        let path = output == "-" ? nil : output ?? (format == .pdf ? "swhub-report-\(period)\(enterprise.map { "-\($0)" } ?? "").pdf" : nil)
        try Self.write(report, format: format, to: path)
    }

    /// The report of a period, from the statistics cache brought up to the journal's head.
    static func make(config: HubConfig, configPath: String, period text: String, enterprise: String?, rebuild: Bool = false) throws
        -> StatisticsReport
    {
        guard let period = TradeReport.Period(text) else {
            throw CommandFailure(.refused, "period '\(text)' is not a month (2026-11), a quarter (2026-Q4) or a day (2026-11-05)")
        }
        let inspector = try JournalAccess.inspector(config.store, archiveDirectory: config.archive?.directory)
        let cache = try TradeStatisticsCache(path: TradeStats.cachePath(config, configPath: configPath))
        let update = try cache.update(from: inspector, rebuild: rebuild)
        let statistics = config.statistics
        // The discrepancy summary: the cross-verification of the same period and enterprise.
        let reconciled = try ReconciliationCache(path: TradeStats.cachePath(config, configPath: configPath))
            .update(from: inspector, rebuild: rebuild)
        let reconciliation = ReconciliationReport(
            reconciled.state, period: period, enterprise: enterprise, settings: statistics.reconcile, rates: { statistics.rate($0) })
        // The risk hits section: the risk rules' notices and their dispositions.
        let risk = try RiskStatisticsCache(path: TradeStats.cachePath(config, configPath: configPath)).update(
            from: inspector, rebuild: rebuild)
        return StatisticsReport(
            update.statistics, period: period, enterprise: enterprise, rates: { statistics.rate($0) }, reconciliation: reconciliation,
            risk: risk.state)
    }

    /// Writes the report to a file (printing its path), or to standard output.
    static func write(_ report: StatisticsReport, format: ReportFormat, to path: String?) throws {
        let data: Data
        do {
            data = try ReportOutput.data(report, format: format)
        } catch let error as ReportError {
            throw CommandFailure(error.code == .toolMissing ? .configuration : .failed, error.description)
        }
        guard let path else {
            FileHandle.standardOutput.write(data)
            return
        }
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandFailure(.failed, "\(ReportError.Code.writeFailed.rawValue): cannot write \(path): \(error)")
        }
        Output.line("\(format.rawValue) report \(report.period)\(report.enterprise.map { " of \($0)" } ?? ""): \(path)")
    }
}

extension ReportCommand {
    /// The monitor's `/statistics` page: the HTML `--format html` writes, with a form to
    /// choose the period.
    static func page(config: HubConfig, configPath: String) -> StatisticsPage {
        { period, enterprise in
            let report = try make(config: config, configPath: configPath, period: period.description, enterprise: enterprise)
            return try ReportOutput.scratch { folder in try ReportOutput.html(report, in: folder, form: true) }
        }
    }
}

extension ReportCommand {
    /// `swhub demo`'s last step: the month's report (this UTC month, when the demo filed) as
    /// PDF and CSV in the demo's folder. Returns the files written by format, and what to
    /// print (a format that could not be written says why, the demo goes on).
    static func demo(configPath: String, directory: URL) -> (files: [String: String], text: String) {
        let month = String(CivilDay(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000)).iso.prefix(7))
        var files: [String: String] = [:]
        var lines = ["Report of \(month) (swhub report --config \(configPath) --period \(month)):"]
        do {
            let report = try make(config: try HubConfig.load(path: configPath), configPath: configPath, period: month, enterprise: nil)
            for format in [ReportFormat.pdf, .csv] {
                let path = directory.appendingPathComponent("report-\(month).\(format.rawValue)").path
                do {
                    try ReportOutput.data(report, format: format).write(to: URL(fileURLWithPath: path), options: .atomic)
                    files[format.rawValue] = path
                    lines.append("  \(path)")
                } catch {
                    lines.append("  \(format.rawValue) not written: \(error)")
                }
            }
        } catch {
            lines.append("  not written: \(error)")
        }
        return (files, lines.joined(separator: "\n"))
    }
}
