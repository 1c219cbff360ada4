import Foundation
import HubCore

/// The charts of a report's sections as SVG, drawn by Debian's gnuplot (`gnuplot-nox`, its
/// `svg` terminal) in one run: a script with each chart's table as an inline data block,
/// one output file per chart. A chart whose table has no rows is not drawn (the page says
/// "no data").
public enum ReportCharts {
    /// A drawn chart: its section, its title and the `<svg>` element (no XML prolog, ready
    /// to inline into HTML).
    public struct Drawn: Sendable, Equatable {
        public var section: String
        public var title: String
        public var svg: String
    }

    /// Draws every chart of `sections`.
    ///
    /// - Parameter folder: A scratch folder for the script, the data and gnuplot's output.
    /// - Throws: ``ReportError`` `toolMissing` (no gnuplot), `toolFailed`.
    public static func draw(_ sections: [ReportSection], in folder: URL) throws -> [Drawn] {
        var script = """
            set terminal svg size 760,300 dynamic noenhanced font "DejaVu Sans,11" background rgb "white"
            set encoding utf8
            set border 3 lc rgb "#8796a8"
            set tics nomirror textcolor rgb "#1d2733"
            set grid lc rgb "#d8dee6"
            set key outside top center horizontal noautotitle textcolor rgb "#1d2733"
            set style fill solid 0.85 border -1
            set linetype 1 lc rgb "#2b6cb0" lw 2 pt 7 ps 0.6
            set linetype 2 lc rgb "#1f8a4c" lw 2 pt 7 ps 0.6
            set linetype 3 lc rgb "#c0392b" lw 2 pt 7 ps 0.6
            set decimalsign "."
            set format y "%.0f"

            """
        var planned: [(section: String, title: String, file: URL)] = []
        for section in sections {
            guard !section.rows.isEmpty else { continue }
            for chart in section.charts {
                let series = chart.series.filter { id in section.columns.contains { $0.id == id } }
                guard !series.isEmpty else { continue }
                let file = folder.appendingPathComponent("chart-\(planned.count + 1).svg")
                let block = "$d\(planned.count + 1)"
                script += commands(chart, section: section, series: series, block: block, output: file)
                planned.append((section.id, chart.title, file))
            }
        }
        guard !planned.isEmpty else { return [] }
        let scriptFile = folder.appendingPathComponent("charts.gp")
        do {
            try script.write(to: scriptFile, atomically: true, encoding: .utf8)
        } catch {
            throw ReportError(.writeFailed, "cannot write the chart script in \(folder.path): \(error)")
        }
        try ReportTool.gnuplot.run([scriptFile.path], log: folder.appendingPathComponent("gnuplot.log"))
        return try planned.map { planned in
            guard let text = try? String(contentsOf: planned.file, encoding: .utf8), let start = text.range(of: "<svg") else {
                throw ReportError(.toolFailed, "gnuplot wrote no chart \(planned.file.lastPathComponent)")
            }
            return Drawn(section: planned.section, title: planned.title, svg: String(text[start.lowerBound...]))
        }
    }

    /// A label as gnuplot reads it in a data block: in double quotes, none inside.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: "\n", with: " ") + "\""
    }

    /// A day's label on an axis: `11-05` for `2026-11-05`.
    static func label(_ text: String) -> String {
        text.count == 10 && text.dropFirst(4).first == "-" ? String(text.dropFirst(5)) : text
    }

    static func commands(_ chart: ReportSection.Chart, section: ReportSection, series: [String], block: String, output: URL) -> String {
        let labels = section.rows.map { label($0.first?.text ?? "") }
        let columns = series.map { section.column($0) }
        var data = "\(block) << EOD\n"
        for (index, label) in labels.enumerated() {
            data += ([quoted(label)] + columns.map { String(format: "%.2f", $0[index].number) }).joined(separator: " ") + "\n"
        }
        data += "EOD\n"
        let titles = series.map { id in section.columns.first { $0.id == id }?.title ?? id }
        let top = columns.flatMap { $0.map(\.number) }.max() ?? 0
        let range = top > 0 ? "[0:*]" : "[0:1]"
        // Counts up to 10: a tic per whole number (not 0.5 steps printed as 0, 0, 1, 1).
        let counts = series.allSatisfy { id in section.columns.first { $0.id == id }?.kind == .count }
        let step = counts && top <= 10 ? "1" : "autofreq"
        let plots = titles.enumerated().map { index, title in "\(block) using \(index + 2):xtic(1) title \(quoted(title))" }
        var text = data + "set output \(quoted(output.path))\nset title \(quoted(chart.title)) textcolor rgb \"#1d2733\"\n"
        text += "set xtics autofreq nomirror norotate font \",9\"\nset ytics autofreq nomirror font \",9\"\n"
        switch chart.kind {
        case .lines:
            text += "set style data linespoints\nset yrange \(range)\nset xrange [*:*]\nset grid noxtics ytics\nset ytics \(step)\n"
            text += "set xtics rotate by 90 right font \",8\"\n"
            text += "plot " + plots.joined(separator: ", ") + "\n"
        case .bars:
            text += "set style data histograms\nset style histogram clustered gap 1\nset yrange \(range)\nset xrange [*:*]\n"
            text += "set grid noxtics ytics\nset ytics \(step)\n"
            text += labels.count > 12 ? "set xtics rotate by 90 right font \",8\"\n" : ""
            text += "plot " + plots.joined(separator: ", ") + "\n"
        case .horizontalBars:
            // boxxyerror: x, y, x half-width, y half-width; the labels on the y axis, the
            // first row on top.
            text += "set style data boxxyerror\nset xrange \(range)\nset yrange [\(Double(labels.count) - 0.4):-0.6]\n"
            text += "set grid xtics noytics\nset xtics \(step)\nset format x \"%.0f\"\n"
            text += "plot \(block) using ($2/2):0:($2/2):(0.38):ytic(1) title \(quoted(titles[0]))\n"
            text += "set yrange [*:*]\nset format x\n"
        }
        text += "unset title\nunset output\n"
        return text
    }
}
