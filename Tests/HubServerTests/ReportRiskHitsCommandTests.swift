import Foundation
import HubProtocol
import HubStore
import Logging
import Testing

/// The real `swhub report`'s risk hits section on a journal holding risk notices (a hold
/// released by its reviewer, a hold still open, one refused, a notifying rule's hit): the
/// counts per rule and disposition in JSON, CSV and the PDF's text (pdftotext), and no
/// personal evidence anywhere.
@Suite("swhub report risk hits", .serialized, .timeLimit(.minutes(6)))
struct ReportRiskHitsCommandTests {
    static let personal = "110101199001011234"

    static func journal(_ path: String) throws {
        let at = TradeStatsCommandTests.novemberUs + 86_400_000_000
        var entries: [(entry: JournalAppend, journaledAtUs: Int64)] = []
        func add(_ type: String, _ sender: String, _ id: String, _ body: [UInt8]) {
            let time = at + Int64(entries.count)
            entries.append(
                (
                    JournalAppend(
                        sender: sender, id: id, type: type, recipients: ["customs"], correlationId: "", createdAtUs: time, body: body),
                    time
                ))
        }
        // (rule, inventory, holds, decision)
        let hits: [(String, String, Bool, BizRiskDecision?)] = [
            ("consumer_quota", "inv-1", true, .release), ("consumer_quota", "inv-2", true, nil), ("value_outlier", "inv-3", true, .refuse),
            ("blacklist_links", "inv-4", false, nil), ("blacklist_links", "inv-5", false, nil),
        ]
        for (rule, inventory, holds, decision) in hits {
            let id = HubMessageId.riskNotice(filer: "ebc1", inventoryId: inventory, rule: rule).description
            var notice = BizRiskNotice()
            notice.noticeID = id
            notice.rule = rule
            notice.subjectType = "ceb.Inventory"
            notice.subjectID = inventory
            notice.subjectFiler = "ebc1"
            notice.enterpriseCode = "1101E00001"
            notice.disposition = holds ? .open : .notified
            notice.held = holds
            var evidence = BizRiskEvidence()
            evidence.key = "buyer_id_number"
            evidence.value = Self.personal
            notice.personalEvidence = [evidence]
            add("risk.Notice", "hub", id, try notice.serializedBytes())
            if let decision {
                var disposition = BizRiskDisposition()
                disposition.noticeID = id
                disposition.decision = decision
                disposition.reason = "reviewed"
                add("risk.Disposition", "customs", "dsp-\(inventory)", try disposition.serializedBytes())
            }
        }
        var store: SQLiteJournalStore? = try SQLiteJournalStore(
            path: path, logger: Logger(label: "ReportRiskHitsCommandTests", factory: { _ in SwiftLogNoOpLogHandler() }))
        _ = try store?.appendStamped(entries)
        store = nil
    }

    @Test func theSectionCountsEachRulesHitsByDisposition() throws {
        let hub = try TestHub(parties: [.init(id: "ebc1")])
        guard (try? SuitePostgres.storeLines()) == nil else { return }
        try Self.journal(hub.journalPath)
        let report = ["report", "--config", hub.configPath, "--period", "2026-11"]

        let json = try programOutput(TestHub.executable, report + ["--format", "json"])
        #expect(json.status == 0, "\(json.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let rows = ReportCommandTests.rows(object, "risk_hits")
        func counts(_ rule: String) -> [Int] {
            ["hits", "open", "released", "refused", "notified", "closed"].map { rows[rule]?[$0] as? Int ?? -1 }
        }
        #expect(counts("consumer_quota") == [2, 1, 1, 0, 0, 0])
        #expect(counts("value_outlier") == [1, 0, 0, 1, 0, 0])
        #expect(counts("blacklist_links") == [2, 0, 0, 0, 2, 0])

        let csv = try programOutput(TestHub.executable, report + ["--format", "csv"])
        #expect(csv.status == 0 && csv.output.contains("risk_hits,consumer_quota,open,1\r\n"), "\(csv.errors)")
        #expect(!json.output.contains(Self.personal) && !csv.output.contains(Self.personal))

        let pdf = hub.directory.appendingPathComponent("november.pdf")
        let printed = try programOutput(TestHub.executable, report + ["--format", "pdf", "--output", pdf.path])
        #expect(printed.status == 0, "\(printed.errors)")
        let text = try programOutput(try ReportCommandTests.tool("pdftotext"), ["-layout", pdf.path, "-"])
        #expect(text.status == 0 && text.output.contains("Risk hits") && !text.output.contains(Self.personal))
        let lines = text.output.components(separatedBy: "\n")
        // The table's line of each rule: its name, then hits and the dispositions' counts.
        for (rule, expected) in [("consumer_quota", "2 1 1 0 0 0"), ("value_outlier", "1 0 0 1 0 0"), ("blacklist_links", "2 0 0 0 2 0")] {
            let found = lines.contains { line in
                let words = line.split(separator: " ").map(String.init)
                return words.first == rule && words.dropFirst().joined(separator: " ") == expected
            }
            #expect(found, "\(rule) \(expected) not in the PDF")
        }
    }
}
