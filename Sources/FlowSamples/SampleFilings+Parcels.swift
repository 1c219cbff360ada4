import HubProtocol

/// What logistics companies, the post and supervised sites file about parcels, built from
/// the standard's field tables (表 2-24 运抵单, 2-31 离境单, the waybill status' CEB513, the
/// receipts' 2-28 and 2-35): arrivals, departures, waybill statuses and customs' receipts
/// for them, for the demo, the flow benchmarks and the tests.
extension SampleFilings {
    /// A departure (离境单, CEB509) listing the parcels `logisticsNos` of the logistics
    /// company `logisticsCode`, left at `leaveTime` (YYYYMMDDhhmmss).
    public static func departure(
        copNo: String, logisticsCode: String, logisticsNos: [String], leaveTime: String = "20261122080000",
        appType: BizAppType = .new
    ) -> BizDeparture {
        var departure = BizDeparture()
        departure.guid = StableSampleGUID.make("departure", logisticsCode, copNo)
        departure.appType = appType
        departure.appTime = leaveTime
        departure.appStatus = .declared
        departure.customsCode = "2991"
        departure.copNo = copNo
        departure.logisticsCode = logisticsCode
        departure.logisticsName = "杭州国际物流有限公司"
        departure.trafMode = "5"
        departure.trafName = "CA1023"
        departure.voyageNo = "CA1023"
        departure.billNo = "999-12345675"
        departure.leaveTime = leaveTime
        departure.msgCount = 1
        departure.msgSeqNo = 1
        departure.departureList = logisticsNos.enumerated().map { index, number in
            var item = BizDepartureItem()
            item.gnum = Int32(index + 1)
            item.totalPackageNo = "PKG-\(copNo)"
            item.logisticsNo = number
            return item
        }
        return departure
    }

    /// An arrival (运抵单, CEB507) of the parcels `logisticsNos` at the supervised site.
    public static func arrival(copNo: String, logisticsCode: String, logisticsNos: [String], appTime: String = "20261122060000")
        -> BizArrival
    {
        var arrival = BizArrival()
        arrival.guid = StableSampleGUID.make("arrival", logisticsCode, copNo)
        arrival.appType = .new
        arrival.appTime = appTime
        arrival.appStatus = .declared
        arrival.customsCode = "2991"
        arrival.copNo = copNo
        arrival.operatorCode = logisticsCode
        arrival.operatorName = "杭州国际物流有限公司"
        arrival.ieFlag = "E"
        arrival.trafMode = "5"
        arrival.domesticTrafNo = "浙A12345"
        arrival.logisticsCode = logisticsCode
        arrival.logisticsName = "杭州国际物流有限公司"
        arrival.msgCount = 1
        arrival.msgSeqNo = 1
        arrival.arrivalList = logisticsNos.enumerated().map { index, number in
            var item = BizArrivalItem()
            item.gnum = Int32(index + 1)
            item.logisticsNo = number
            return item
        }
        return arrival
    }

    /// A waybill status (运单状态, CEB513) of one parcel: `status` the standard's
    /// logisticsStatus code (e.g. "S" 签收).
    public static func waybillStatus(logisticsCode: String, logisticsNo: String, status: String, time: String = "20261123150000")
        -> BizWaybillStatus
    {
        var waybillStatus = BizWaybillStatus()
        waybillStatus.guid = StableSampleGUID.make("status", logisticsCode, logisticsNo, status)
        waybillStatus.appType = .new
        waybillStatus.appTime = time
        waybillStatus.appStatus = .declared
        waybillStatus.logisticsCode = logisticsCode
        waybillStatus.logisticsName = "杭州国际物流有限公司"
        waybillStatus.logisticsNo = logisticsNo
        waybillStatus.logisticsStatus = status
        waybillStatus.logisticsTime = time
        return waybillStatus
    }

    /// Customs' receipt for a departure (CEB510): `status` its returnStatus (399 审结, 100 退单).
    public static func departureReceipt(_ departure: BizDeparture, status: Int32, info: String) -> BizReceipt {
        var receipt = BizReceipt()
        receipt.messageType = "CEB510Message"
        receipt.guid = departure.guid
        receipt.logisticsCode = departure.logisticsCode
        receipt.copNo = departure.copNo
        receipt.preNo = "D2026112200000001"
        receipt.msgSeqNo = 1
        receipt.returnStatus = status
        receipt.returnTime = departure.leaveTime + "000"
        receipt.returnInfo = info
        return receipt
    }
}

/// A GUID-shaped (8-4-4-4-12, upper-case hex) value derived from its parts (FNV-1a), so a
/// sample is the same in every run.
enum StableSampleGUID {
    static func make(_ parts: String...) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var hex = ""
        for round in 0..<2 {
            for byte in (parts.joined(separator: "\u{1F}") + "\(round)").utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01b3
            }
            let text = String(hash, radix: 16, uppercase: true)
            hex += String(repeating: "0", count: 16 - text.count) + text
        }
        let chars = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
    }
}
