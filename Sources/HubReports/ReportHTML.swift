import Foundation
import HubCore
import Mustache

/// A report as one self-contained HTML document (swift-mustache, HTML-escaped): each section's
/// title, note, charts (gnuplot's SVG, inlined) and table. The PDF is this page printed by
/// Chromium, and the monitor's `/statistics` serves it as it is: nothing is loaded from
/// elsewhere.
public enum ReportHTML {
    /// The page.
    ///
    /// - Parameters:
    ///   - report: The report.
    ///   - charts: Its drawn charts (``ReportCharts/draw(_:in:)``).
    ///   - form: Whether to show the period form (the monitor's page), not in a PDF.
    public static func render(_ report: StatisticsReport, charts: [ReportCharts.Drawn], form: Bool = false) throws -> String {
        let template: MustacheTemplate
        do {
            template = try MustacheTemplate(string: ReportHTML.template)
        } catch {
            throw ReportError(.writeFailed, "the report template does not parse: \(error)")
        }
        let sections = report.sections.map { section -> [String: Any] in
            let drawn = charts.filter { $0.section == section.id }
            return [
                "id": section.id, "title": section.title, "note": section.note,
                "charts": drawn.map { ["title": $0.title, "svg": $0.svg] },
                "empty": section.rows.isEmpty,
                "columns": section.columns.map { ["title": $0.title, "numeric": $0.kind != .text] },
                "rows": section.rows.map { row in
                    ["cells": zip(section.columns, row).map { column, value in ["text": value.text, "numeric": column.kind != .text] }]
                },
            ]
        }
        let object: [String: Any] = [
            "title": report.title, "period": report.period.description, "enterprise": report.enterprise ?? "",
            "has_enterprise": report.enterprise != nil,
            "journal_seq": String(report.lastSeq), "sections": sections, "form": form, "css": css,
        ]
        return template.render(object)
    }

    static let template = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}}</title>
        <style>{{{css}}}</style>
        </head>
        <body>
        <header>
          <h1>{{title}}</h1>
          <p class="facts">SingleWindowHub 统计监测 · period <b id="period">{{period}}</b>{{#has_enterprise}} · enterprise <b>{{enterprise}}</b>{{/has_enterprise}} · journal seq {{journal_seq}} · organisations and codes only, no personal data</p>
          {{#form}}<form method="get" action="statistics"><label>period <input name="period" value="{{period}}" size="10"></label>
            <label>enterprise <input name="enterprise" value="{{enterprise}}" size="12"></label> <button type="submit">Show</button></form>{{/form}}
        </header>
        <main>
        {{#sections}}
        <section id="{{id}}" class="report-section">
          <h2>{{title}}</h2>
          <p class="note">{{note}}</p>
          {{#empty}}<p class="empty">No data in this period.</p>{{/empty}}
          {{#charts}}<figure class="chart" aria-label="{{title}}">{{{svg}}}</figure>{{/charts}}
          {{^empty}}<table>
            <thead><tr>{{#columns}}<th{{#numeric}} class="n"{{/numeric}}>{{title}}</th>{{/columns}}</tr></thead>
            <tbody>{{#rows}}<tr>{{#cells}}<td{{#numeric}} class="n"{{/numeric}}>{{text}}</td>{{/cells}}</tr>
            {{/rows}}</tbody>
          </table>{{/empty}}
        </section>
        {{/sections}}
        </main>
        </body>
        </html>

        """

    static let css = """
        @page { size: A4; margin: 12mm; }
        :root { --ink: #1d2733; --muted: #5b6b7f; --line: #d8dee6; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 12px/1.4 "DejaVu Sans", "Noto Sans", "Noto Sans CJK SC", sans-serif; color: var(--ink); background: #fff; }
        header { padding: 10px 16px; border-bottom: 2px solid #14202e; }
        header h1 { font-size: 18px; margin: 0 0 4px; }
        .facts { margin: 0; color: var(--muted); }
        form { margin-top: 6px; } form input { padding: 2px 6px; }
        main { padding: 8px 16px; }
        section { margin: 0 0 14px; break-inside: avoid; page-break-inside: avoid; }
        h2 { font-size: 14px; margin: 10px 0 2px; text-transform: uppercase; letter-spacing: .04em; color: #14202e; }
        .note { margin: 0 0 6px; color: var(--muted); }
        .empty { font-style: italic; color: var(--muted); }
        figure.chart { margin: 0 0 6px; }
        figure.chart svg { width: 100%; max-width: 760px; height: auto; display: block; }
        table { border-collapse: collapse; width: 100%; margin-bottom: 6px; }
        th, td { text-align: left; padding: 2px 6px; border-bottom: 1px solid var(--line); }
        th { color: var(--muted); font-weight: 600; } .n { text-align: right; font-variant-numeric: tabular-nums; }
        #by_day table td, #by_day table th { padding: 1px 6px; font-size: 11px; }
        """
}
