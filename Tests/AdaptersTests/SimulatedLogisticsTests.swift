import Adapters
import HubProtocol
import Testing

/// The simulated post files the departure (CEB509) of each export parcel customs released.
@Suite("Simulated post: departures")
struct SimulatedLogisticsTests {
    static func notice(ieFlag: String, logisticsNo: String = "LP0001") throws -> [UInt8] {
        var notice = BizReleaseNotice()
        notice.invtNo = "29912026E000000001"
        notice.ieFlag = ieFlag
        notice.customsCode = "2991"
        notice.logisticsCode = "3301980002"
        notice.logisticsNo = logisticsNo
        return try notice.serializedBytes()
    }

    @Test func aReleasedExportDeparts() throws {
        var post = SimulatedDepartment(kind: .post, party: "post")
        let header = SimulatedDepartmentTests.header("rel:platform:inv-1", type: "flow.ReleaseNotice")
        let export = post.handle(
            type: "flow.ReleaseNotice", header: header, body: try Self.notice(ieFlag: "E"), nowUs: SimulatedDepartmentTests.now)
        #expect(export.count == 1 && export.first?.type == "ceb.Departure" && export.first?.id == "dep:rel:platform:inv-1")
        let departure = try BizDeparture(serializedBytes: try #require(export.first).body)
        #expect(departure.logisticsCode == "3301980002" && departure.departureList.map(\.logisticsNo) == ["LP0001"])
        #expect(departure.leaveTime == "20180507073001" && departure.appType == .new)

        // An import's release: kept, nothing filed (its waybill statuses are not simulated).
        let imported = post.handle(
            type: "flow.ReleaseNotice", header: SimulatedDepartmentTests.header("rel:platform:inv-2", type: "flow.ReleaseNotice"),
            body: try Self.notice(ieFlag: "I"), nowUs: SimulatedDepartmentTests.now)
        #expect(imported.isEmpty)
        #expect(post.kept.records.map(\.type) == ["flow.ReleaseNotice", "flow.ReleaseNotice"], "kept for queries as before")

        // Other departments only keep it; a notice without a waybill number gets nothing.
        var tax = SimulatedDepartment(kind: .tax, party: "tax")
        #expect(tax.handle(type: "flow.ReleaseNotice", header: header, body: try Self.notice(ieFlag: "E"), nowUs: 0).isEmpty)
        #expect(
            post.handle(type: "flow.ReleaseNotice", header: header, body: try Self.notice(ieFlag: "E", logisticsNo: ""), nowUs: 0).isEmpty)
    }
}
