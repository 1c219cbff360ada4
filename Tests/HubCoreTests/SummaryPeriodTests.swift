import Foundation
import HubCore
import HubProtocol
import SwiftProtobuf
import Testing

/// A summary requested without a period starts at the first release it summarizes, so
/// that its CEB701 carries a real startTime (not "00000000").
@Suite("Summary declaration: the requested period")
struct SummaryPeriodTests {
    @Test func aRequestWithoutDatesStartsAtTheFirstRelease() throws {
        var engine = try FlowEngineTests.engine()
        let journal = try FlowEngineTests.journal()
        let release = try #require(journal.lastIndex { $0.id == "rc-4-800" })
        for input in journal[...release] { _ = engine.journaled(input) }
        let releasedAt = journal[release].journaledAtUs
        let request = FlowInput(
            seq: 999, sender: "customs", id: "req", type: "flow.SummaryRequest", recipients: [], correlationId: "",
            journaledAtUs: releasedAt + 1, body: try BizSummaryRequest().serializedBytes())
        let emitted = try #require(engine.journaled(request).first { $0.type == "ceb.SummaryDeclaration" })
        let summary = try BizSummaryDeclaration(serializedBytes: emitted.body)
        let releaseDay = Self.day(releasedAt)
        #expect(summary.invtNo == ["INV4"])
        #expect(summary.startTime == releaseDay && summary.endTime == releaseDay, "\(summary.startTime)-\(summary.endTime)")

        var dated = BizSummaryRequest()
        dated.startDate = "20200101"
        var again = try FlowEngineTests.engine()
        for input in journal[...release] { _ = again.journaled(input) }
        let asked = FlowInput(
            seq: 999, sender: "customs", id: "req-2", type: "flow.SummaryRequest", recipients: [], correlationId: "",
            journaledAtUs: releasedAt + 1, body: try dated.serializedBytes())
        let explicit = try #require(again.journaled(asked).first { $0.type == "ceb.SummaryDeclaration" })
        #expect(try BizSummaryDeclaration(serializedBytes: explicit.body).startTime == "20200101", "a requested start stays")
    }

    /// YYYYMMDD of a journal time, UTC.
    static func day(_ us: Int64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(us) / 1_000_000))
        return String(format: "%04d%02d%02d", parts.year!, parts.month!, parts.day!)
    }
}
