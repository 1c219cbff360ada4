import DepartmentFormats
import HubProtocol

/// The post as the logistics company of the parcels it carries: after customs released an
/// export parcel (the hub's release notice reaches the waybill's filer), the parcel leaves
/// the country and the post files its departure (离境单, CEB509), which makes the export a
/// summary candidate (`flows.summary.require_departure`). (Imports' waybill statuses are
/// not simulated: the flow benchmarks' traffic stays what it was.)
extension SimulatedDepartment {
    /// The post's filing about a released export parcel: `dep:<key>`, a departure listing
    /// it; none for an import or without a waybill number.
    func parcelFilings(_ notice: BizReleaseNotice, header: WireHeader, nowUs: Int64) -> [Reply] {
        guard kind == .post, notice.ieFlag == "E", !notice.logisticsNo.isEmpty else { return [] }
        let key = Self.subjectKey(header)
        let time = CEBTime.appTime(nowUs)
        var departure = BizDeparture()
        departure.guid = Self.guid(seed: options.seed, party, "departure", key)
        departure.appType = .new
        departure.appTime = time
        departure.appStatus = .declared
        departure.customsCode = notice.customsCode
        departure.copNo = "DEP-" + StableHash(seed: options.seed, "departure", party, key).digits(12)
        departure.logisticsCode = notice.logisticsCode
        departure.logisticsName = party
        departure.trafMode = "5"
        departure.leaveTime = time
        departure.msgCount = 1
        departure.msgSeqNo = 1
        var item = BizDepartureItem()
        item.gnum = 1
        item.logisticsNo = notice.logisticsNo
        departure.departureList = [item]
        return [reply(.departure, departure, correlationId: "", id: "dep:\(key)")]
    }
}
