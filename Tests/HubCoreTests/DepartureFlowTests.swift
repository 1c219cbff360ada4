import FlowSamples
import HubConfigKit
import HubCore
import HubProtocol
import SwiftProtobuf
import Testing

/// Departure (离境, CEB509) gating the summary declaration, and arrivals (CEB507), departures
/// and waybill statuses (CEB513) in the declaration's history, before and after release.
@Suite("Departures gate the summary; the declaration's history")
struct DepartureFlowTests {
    typealias World = DeclarationFilingsTests.World

    static func feedback(_ emissions: [FlowEmission], about subject: String) -> [BizFeedback] {
        emissions.filter { $0.type == MessageType.feedback.rawValue }.compactMap { try? BizFeedback(serializedBytes: $0.body) }
            .filter { $0.subjectID == subject }
    }

    static func parcel(_ n: Int) -> String { SampleFilings.declaration(n).waybill.logisticsNo }

    @Test func aReleasedExportWaitsForItsDepartureThenIsSummarized() throws {
        let world = try World()
        _ = try world.declare(1)
        try world.receipt(1, 120)
        try world.receipt(1, 800)
        #expect(try world.summarize("s-1").isEmpty, "released, not departed: no summary")
        #expect(world.engine.exportsAwaitingDeparture.map(\.invtNo) == ["INV1"])

        let out = try world.depart([Self.parcel(1)], id: "dep-1")
        let told = try #require(Self.feedback(out, about: "dep-1").first)
        #expect(told.subjectType == "ceb.Departure" && told.state == .accepted && told.final && told.reasons.isEmpty)
        #expect(out.first { $0.id.hasPrefix("fb:dep-1:") }?.recipients == ["post"])
        // Released (800) but not closed: the declaration's filers hear of the departure.
        let declaration = try #require(Self.feedback(out, about: "inv-1").last)
        #expect(declaration.history.map(\.kind) == ["departed"] && declaration.history.first?.id == "dep-1")
        #expect(declaration.history.first?.time == "20261122080000" && declaration.final == false)
        #expect(world.engine.exportsAwaitingDeparture.isEmpty)
        #expect(try world.summarize("s-2") == ["INV1"])
        #expect(try world.summarize("s-3").isEmpty, "once")
    }

    @Test func aDepartureBeforeTheReleaseAppliesAtTheRelease() throws {
        let world = try World()
        _ = try world.declare(2)
        try world.receipt(2, 120)
        let out = try world.depart([Self.parcel(2)], id: "dep-2")
        #expect(Self.feedback(out, about: "inv-2").last?.history.map(\.kind) == ["departed"])
        let released = try world.receipt(2, 800)
        #expect(Self.feedback(released, about: "inv-2").last?.history.map(\.kind) == ["departed"], "the history stays")
        #expect(world.engine.exportsAwaitingDeparture.isEmpty)
        #expect(try world.summarize("s-1") == ["INV2"])
    }

    @Test func customsRefusingTheDepartureTakesItBack() throws {
        let world = try World()
        _ = try world.declare(3)
        _ = try world.declare(4)
        for n in [3, 4] { try world.receipt(n, 800) }
        let departure = SampleFilings.departure(
            copNo: "COP-dep-34", logisticsCode: SampleFilings.Filers().logisticsCode, logisticsNos: [Self.parcel(3), Self.parcel(4)])
        try world.send("post", .departure, "dep-34", departure)
        #expect(world.engine.exportsAwaitingDeparture.isEmpty)
        // 399 (审结) changes nothing but the history; 100 (退单) un-departs both parcels. By
        // keys (logistics_code, cop_no), as customs' own files bring it, without correlation.
        let approved = SampleFilings.departureReceipt(departure, status: 399, info: "审结")
        let noted = try world.send("customs", .receipt, "r510-1", approved)
        #expect(Self.feedback(noted, about: "inv-3").last?.history.map(\.kind) == ["departed", "receipt"])
        let refused = SampleFilings.departureReceipt(departure, status: 100, info: "退单: 运输工具不符")
        let out = try world.send("customs", .receipt, "r510-2", refused)
        let history = try #require(Self.feedback(out, about: "inv-4").last?.history)
        #expect(history.map(\.kind) == ["departed", "receipt", "departure_refused"])
        #expect(history.last?.status == "100" && history.last?.info == "退单: 运输工具不符")
        #expect(world.engine.exportsAwaitingDeparture.map(\.invtNo) == ["INV3", "INV4"])
        #expect(try world.summarize("s-1").isEmpty)
        // Filed again (correlated this time), and not refused: candidates again.
        try world.send("post", .departure, "dep-34b", departure)
        #expect(try world.summarize("s-2") == ["INV3", "INV4"])
        // Refusing it now, after the summary took them, leaves the summary as it is.
        try world.send("customs", .receipt, "r510-3", refused, correlation: "dep-34b")
        #expect(world.engine.exportsAwaitingDeparture.isEmpty)
        #expect(try world.summarize("s-3").isEmpty)
    }

    @Test func aDeletedOrChangedDepartureTakesItsParcelsBack() throws {
        let world = try World()
        for n in [5, 6] {
            _ = try world.declare(n)
            try world.receipt(n, 800)
        }
        try world.depart([Self.parcel(5), Self.parcel(6)], id: "d-1", copNo: "D56")
        // Changed (app_type 2, same cop_no) to list parcel 5 only: 6 waits again.
        try world.depart([Self.parcel(5)], id: "d-2", copNo: "D56", appType: .change)
        #expect(world.engine.exportsAwaitingDeparture.map(\.invtNo) == ["INV6"])
        // Deleted (app_type 3): 5 waits too; only its filer may delete it.
        let stranger = try world.depart([], id: "d-3", copNo: "D56", sender: "platform", appType: .delete)
        #expect(Self.feedback(stranger, about: "d-3").first?.reasons.first?.hasPrefix("NOT_ENTITLED") == true)
        #expect(world.engine.exportsAwaitingDeparture.map(\.invtNo) == ["INV6"])
        let deleted = try world.depart([], id: "d-4", copNo: "D56", appType: .delete)
        #expect(Self.feedback(deleted, about: "d-4").last?.state == .withdrawn)
        #expect(world.engine.exportsAwaitingDeparture.map(\.invtNo) == ["INV5", "INV6"])
        let code = SampleFilings.Filers().logisticsCode
        #expect(
            world.engine.parcelHistory(logisticsCode: code, logisticsNo: Self.parcel(6)).map(\.kind) == ["departed", "departure_withdrawn"])
        #expect(
            world.engine.parcelHistory(logisticsCode: code, logisticsNo: Self.parcel(5)).map(\.kind)
                == ["departed", "departed", "departure_withdrawn"])
        #expect(try world.summarize("s-1").isEmpty)
        let nothing = try world.depart([], id: "d-5", copNo: "D56", appType: .delete)
        #expect(Self.feedback(nothing, about: "d-5").first?.reasons.first?.hasPrefix("NO_SUCH_DOCUMENT") == true)
    }

    @Test func unknownParcelsAreReportedToTheFilerAndCountForNothing() throws {
        let world = try World()
        _ = try world.declare(7)
        try world.receipt(7, 800)
        let out = try world.depart([Self.parcel(7), "LP-NEVER-DECLARED"], id: "dep-7")
        let told = try #require(Self.feedback(out, about: "dep-7").first)
        #expect(told.state == .accepted && told.final)
        #expect(told.reasons.count == 1 && told.reasons[0].hasPrefix("UNKNOWN_PARCEL [departure.departure_list.logistics_no]"))
        #expect(told.reasons[0].contains("LP-NEVER-DECLARED") && !told.reasons[0].contains(Self.parcel(7)))
        let none = try world.depart(["LP-NEVER-DECLARED"], id: "dep-x")
        #expect(Self.feedback(none, about: "dep-x").first?.state == .refused)
        // Only a logistics company or the post files departures that count.
        let platform = try world.depart([Self.parcel(7)], id: "dep-p", sender: "platform")
        #expect(Self.feedback(platform, about: "dep-p").first?.state == .refused)
        #expect(try world.summarize("s-1") == ["INV7"])
    }

    @Test func arrivalAndWaybillStatusGoIntoTheHistoryAlsoAfterTheRelease() throws {
        let world = try World()
        let docs = try world.declare(8, ieFlag: "I")
        let code = docs.waybill.logisticsCode
        let number = docs.waybill.logisticsNo
        try world.receipt(8, 120)
        let arrived = try world.send(
            "post", .arrival, "arr-8", SampleFilings.arrival(copNo: "A8", logisticsCode: code, logisticsNos: [number]))
        let pending = try #require(Self.feedback(arrived, about: "inv-8").last)
        #expect(pending.history.map(\.kind) == ["arrived"] && pending.history.first?.document == "ceb.Arrival" && !pending.final)
        try world.receipt(8, 800)
        let closed = try world.receipt(8, 899)
        #expect(Self.feedback(closed, about: "inv-8").last?.final == true)
        // After the final feedback nothing follows; the history is kept after release.
        let status = SampleFilings.waybillStatus(logisticsCode: code, logisticsNo: number, status: "S")
        let delivered = try world.send("post", .waybillStatus, "ws-8", status)
        #expect(delivered.isEmpty, "final means nothing follows")
        var receipt = BizReceipt()
        receipt.messageType = "CEB514Message"
        receipt.logisticsCode = code
        receipt.logisticsNo = number
        receipt.returnStatus = 120
        receipt.returnInfo = "入库"
        #expect(try world.send("customs", .receipt, "r514", receipt, correlation: "ws-8").isEmpty)
        let record = try #require(world.engine.releasedParcel(logisticsCode: code, logisticsNo: number))
        #expect(record.invtNo == "INV8" && record.ieFlag == "I" && record.filers == ["platform", "bank", "post"])
        #expect(record.inventory == FlowKey(sender: "platform", id: "inv-8") && !record.waitsForDeparture)
        let history = world.engine.parcelHistory(logisticsCode: code, logisticsNo: number)
        #expect(history.map(\.kind) == ["arrived", "waybill_status", "receipt"])
        #expect(history[1].status == "S" && history[2].status == "120" && history[2].info == "入库")
        // A waybill status of a parcel the hub knows nothing of changes nothing.
        let stranger = SampleFilings.waybillStatus(logisticsCode: code, logisticsNo: "LP-OTHER", status: "S")
        #expect(try world.send("post", .waybillStatus, "ws-x", stranger).isEmpty)
        #expect(world.engine.parcelHistory(logisticsCode: code, logisticsNo: "LP-OTHER").isEmpty)
    }

    @Test func theRecordLeavesAfterReleaseDays() throws {
        let world = try World(declaration: "after_release_days: 1")
        let docs = try world.declare(9)
        try world.receipt(9, 800)
        let code = docs.waybill.logisticsCode
        #expect(world.engine.releasedParcel(logisticsCode: code, logisticsNo: docs.waybill.logisticsNo) != nil)
        _ = world.engine.tick(nowUs: world.time + 86_400_000_000 + 1)
        #expect(world.engine.releasedParcel(logisticsCode: code, logisticsNo: docs.waybill.logisticsNo) == nil)
        #expect(world.engine.exportsAwaitingDeparture.isEmpty, "never departed within the days: no candidate any more")
    }

    @Test func withoutRequireDepartureAReleasedExportIsACandidateAtOnce() throws {
        let world = try World(flows: "summary: {require_departure: false}")
        _ = try world.declare(10)
        try world.receipt(10, 800)
        #expect(world.engine.exportsAwaitingDeparture.isEmpty)
        #expect(try world.summarize("s-1") == ["INV10"])
    }

    @Test func turningTheSettingOffLetsTheWaitingExportsIn() throws {
        let world = try World()
        _ = try world.declare(12)
        try world.receipt(12, 800)
        let off = try World(flows: "summary: {require_departure: false}")
        // Restored under the new config, or reloaded: the waiting export is a candidate.
        var restored = FlowEngine(config: off.config, policy: off.policy, snapshot: world.engine.snapshot())
        #expect(restored.exportsAwaitingDeparture.isEmpty)
        world.engine.reconfigure(config: off.config, policy: off.policy)
        #expect(world.engine.exportsAwaitingDeparture.isEmpty)
        let request = FlowInput(
            seq: world.seq + 1, sender: "customs", id: "s-12", type: MessageType.summaryRequest.rawValue, recipients: [],
            correlationId: "", journaledAtUs: world.time + 1000, body: try BizSummaryRequest().serializedBytes())
        let fromRestored = restored.journaled(request)
        let fromReloaded = world.engine.journaled(request)
        #expect(fromRestored == fromReloaded)
        let summary = try #require(fromReloaded.first { $0.type == MessageType.summaryDeclaration.rawValue })
        #expect(try BizSummaryDeclaration(serializedBytes: summary.body).invtNo == ["INV12"])
        #expect(try world.summarize("s-13").isEmpty, "summarized once")
    }

    @Test func anEngineRestoredMidFlowEmitsWhatTheOriginalEmits() throws {
        let world = try World()
        let docs = try world.declare(11)
        try world.send(
            "post", .arrival, "arr-11",
            SampleFilings.arrival(copNo: "A11", logisticsCode: docs.waybill.logisticsCode, logisticsNos: [docs.waybill.logisticsNo]))
        try world.receipt(11, 800)
        let snapshot = try FlowSnapshot(decoding: world.engine.snapshot().encoded())
        var restored = FlowEngine(config: world.config, policy: world.policy, snapshot: snapshot)
        let sameState = restored.snapshot().encoded() == world.engine.snapshot().encoded()
        #expect(sameState)
        #expect(restored.exportsAwaitingDeparture.map(\.invtNo) == ["INV11"])
        let departure = SampleFilings.departure(
            copNo: "D11", logisticsCode: docs.waybill.logisticsCode, logisticsNos: [docs.waybill.logisticsNo])
        let departed: [UInt8] = try departure.serializedBytes()
        let request: [UInt8] = try BizSummaryRequest().serializedBytes()
        let steps = [
            FlowInput(
                seq: world.seq + 1, sender: "post", id: "dep-11", type: MessageType.departure.rawValue, recipients: [],
                correlationId: "", journaledAtUs: world.time + 1000, body: departed),
            FlowInput(
                seq: world.seq + 2, sender: "customs", id: "s-11", type: MessageType.summaryRequest.rawValue, recipients: [],
                correlationId: "", journaledAtUs: world.time + 2000, body: request),
        ]
        let original = steps.flatMap { world.engine.journaled($0) }
        let resumed = steps.flatMap { restored.journaled($0) }
        #expect(original == resumed)
        #expect(original.contains { $0.type == MessageType.summaryDeclaration.rawValue })
    }

    @Test func theSettingsParseAndAreChecked() throws {
        let defaults = try #require(try FlowConfigTests.parse("flows: {}\nparties:\n" + FlowConfigTests.customs).flows)
        #expect(defaults.requireDeparture && defaults.afterReleaseMs == 90 * 86_400_000)
        let set = try #require(
            try FlowConfigTests.parse(
                "flows: {summary: {require_departure: false}, declaration: {after_release_days: 30}}\nparties:\n" + FlowConfigTests.customs
            ).flows)
        #expect(!set.requireDeparture && set.afterReleaseMs == 30 * 86_400_000)
        for bad in [
            "summary: {require_departure: maybe}", "summary: {require_departures: true}", "declaration: {after_release_days: 0}",
            "declaration: {after_release_days: 4000}",
        ] {
            #expect(throws: ConfigError.self, "\(bad)") {
                try FlowConfigTests.parse("flows: {\(bad)}\nparties:\n" + FlowConfigTests.customs)
            }
        }
    }
}

extension DeclarationFilingsTests.World {
    /// Declaration `n` (an export unless `ieFlag` says otherwise), linked and forwarded.
    func declare(_ n: Int, ieFlag: String = "E") throws -> SampleFilings.Declaration {
        var docs = SampleFilings.declaration(n)
        docs.inventory.ieFlag = ieFlag
        try send("platform", .order, "ord-\(n)", docs.order)
        try send("bank", .payment, "pay-\(n)", docs.payment)
        try send("post", .waybill, "way-\(n)", docs.waybill)
        try send("platform", .inventory, "inv-\(n)", docs.inventory)
        return docs
    }

    /// Customs' inventory receipt with `status` for declaration `n`.
    @discardableResult
    func receipt(_ n: Int, _ status: Int32) throws -> [FlowEmission] {
        var receipt = BizReceipt()
        receipt.invtNo = "INV\(n)"
        receipt.returnStatus = status
        return try send("customs", .receipt, "rc-\(n)-\(status)", receipt, correlation: "fwd:platform:inv-\(n):inventory")
    }

    /// `sender` files a departure listing `numbers` (logistics_no) of the sample logistics
    /// company, its `cop_no` `copNo` (by default from the id).
    @discardableResult
    func depart(_ numbers: [String], id: String, copNo: String? = nil, sender: String = "post", appType: BizAppType = .new) throws
        -> [FlowEmission]
    {
        let departure = SampleFilings.departure(
            copNo: copNo ?? "COP-\(id)", logisticsCode: SampleFilings.Filers().logisticsCode, logisticsNos: numbers, appType: appType)
        return try send(sender, .departure, id, departure)
    }

    /// Customs asks for a summary now; returns the inventories summarized.
    func summarize(_ id: String) throws -> [String] {
        let out = try send("customs", .summaryRequest, id, BizSummaryRequest())
        return try out.filter { $0.type == MessageType.summaryDeclaration.rawValue }
            .flatMap { try BizSummaryDeclaration(serializedBytes: $0.body).invtNo }
    }
}
