import HubProtocol
import SwiftProtobuf

/// The standard's documents beyond the declaration's and customs' receipts for them, built
/// from the field tables of the 2022 specification (ceb-interface-spec-2022.txt, sections
/// 2.7-2.10, 2.13-2.20, 3.7-3.8, 3.11-3.16): every element filled, optional ones included,
/// each at a length its table allows, around one export parcel (returned, cancelled,
/// arrived, departed, under a master bill) and one import parcel (its status, warehouse
/// entry, cancellation and return).
enum CEBDocumentFixtures {
    /// Every root, documents and receipts.
    static let roots = [
        "CEB605Message", "CEB623Message", "CEB213Message", "CEB625Message", "CEB215Message", "CEB507Message",
        "CEB509Message", "CEB513Message", "CEB607Message", "CEB711Message",
        "CEB606Message", "CEB624Message", "CEB214Message", "CEB626Message", "CEB216Message", "CEB508Message",
        "CEB510Message", "CEB514Message", "CEB608Message", "CEB712Message",
        "CEB816Message", "CEB818Message", "CEB900Message",
    ]

    /// The hub type of each document root (receipts are ceb.Receipt).
    static let documentTypes: [String: String] = [
        "CEB605Message": "ceb.Cancellation", "CEB623Message": "ceb.Cancellation",
        "CEB213Message": "ceb.ReturnRequest", "CEB625Message": "ceb.ReturnRequest",
        "CEB215Message": "ceb.ReturnTally", "CEB507Message": "ceb.Arrival", "CEB509Message": "ceb.Departure",
        "CEB513Message": "ceb.WaybillStatus", "CEB607Message": "ceb.MasterWaybill", "CEB711Message": "ceb.WarehouseEntry",
        "CEB816Message": "ceb.TaxBill", "CEB818Message": "ceb.TaxStatus",
    ]

    // The export parcel: declared in 5141 (Guangzhou Baiyun airport), released, inventory 51412026E000000123.
    static let exportInvtNo = "51412026E000000123"
    static let ebc = ("440196000A", "广州跨境优选贸易有限公司")
    static let ebp = ("4401960001", "广州跨境电商平台有限公司")
    static let agent = ("4401980002", "广州通关报关服务有限公司")
    static let logistics = ("4401980AB3", "中国邮政速递物流股份有限公司广东省分公司")
    static let operatorSite = ("4401980009", "广州白云机场国际快件监管中心")
    static let exportWaybill = "EX2026112100000321CN"
    static let billNo = "784-20261121"
    // The import parcel: declared in 2991, released, inventory 29912026I000000456.
    static let importInvtNo = "29912026I000000456"
    static let importWaybill = "SF1234567890123"

    /// The fixture message written as `root`, nil for a root not listed in ``roots``.
    static func message(for root: String) -> (any SwiftProtobuf.Message)? {
        switch root {
        case "CEB605Message": exportCancellation()
        case "CEB623Message": importCancellation()
        case "CEB213Message": exportReturn()
        case "CEB625Message": importReturn()
        case "CEB215Message": returnTally()
        case "CEB507Message": arrival()
        case "CEB509Message": departure()
        case "CEB513Message": waybillStatus()
        case "CEB607Message": masterWaybill()
        case "CEB711Message": warehouseEntry()
        case "CEB816Message": taxBill()
        case "CEB818Message": taxStatus()
        default: receipt(root)
        }
    }

    static func exportCancellation() -> BizCancellation {
        var cancel = BizCancellation()
        cancel.guid = "C6050000-0000-4000-8000-000000000001"
        cancel.appType = .new
        cancel.appTime = "20261121093000"
        cancel.appStatus = .declared
        cancel.customsCode = "5141"
        cancel.copNo = "CANCEL-2026-0001"
        cancel.preNo = "B20261121000000031"
        cancel.invtNo = exportInvtNo
        cancel.reason = "买家取消订单，申请撤销清单"
        (cancel.agentCode, cancel.agentName) = agent
        (cancel.ebcCode, cancel.ebcName) = ebc
        cancel.note = "出口清单撤销"
        cancel.ieFlag = "E"
        return cancel
    }

    static func importCancellation() -> BizCancellation {
        var cancel = BizCancellation()
        cancel.guid = "C6230000-0000-4000-8000-000000000002"
        cancel.appType = .new
        cancel.appTime = "20261121093100"
        cancel.appStatus = .declared
        cancel.customsCode = "2991"
        cancel.orderNo = "ORD-2026-000456"
        cancel.ebpCode = "3301960001"
        cancel.ebpName = "杭州跨境电商平台有限公司"
        cancel.ebcCode = "3301960002"
        cancel.ebcName = "杭州海淘优品有限公司"
        cancel.logisticsNo = importWaybill
        cancel.logisticsCode = "3301980003"
        cancel.logisticsName = "顺丰速运有限公司"
        cancel.copNo = "ICANCEL-0000456"
        cancel.preNo = "I20261121000000456"
        cancel.invtNo = importInvtNo
        cancel.buyerIDType = "1"
        cancel.buyerIDNumber = "330102199001011234"
        cancel.buyerName = "张三"
        cancel.buyerTelephone = "13800000000"
        cancel.agentCode = "3301980004"
        cancel.agentName = "杭州报关服务有限公司"
        cancel.reason = "订购人申请退单"
        cancel.note = "进口清单撤销"
        cancel.ieFlag = "I"
        return cancel
    }

    static func exportReturn() -> BizReturnRequest {
        var request = BizReturnRequest()
        request.guid = "C2130000-0000-4000-8000-000000000003"
        request.appType = .new
        request.appTime = "20261125101500"
        request.appStatus = .declared
        request.customsCode = "5141"
        request.loctNo = "5141W00001"
        (request.ebpCode, request.ebpName) = ebp
        (request.ebcCode, request.ebcName) = ebc
        request.logisticsNo = "RT" + exportWaybill
        (request.logisticsCode, request.logisticsName) = logistics
        request.coElNo = "RET-2026-0001"
        request.preNo = "B20261125000000009"
        request.invtNo = exportInvtNo
        request.tradeMode = "9661"
        (request.agentCode, request.agentName) = agent
        request.billNo = billNo
        request.ieFlag = "I"
        request.trafMode = "5"
        request.trafName = "CZ3102"
        request.portCode = "5141"
        request.reason = "商品破损，买家退货"
        request.country = "116"
        request.voyageNo = "CZ3102"
        request.note = "出口退货"
        request.invtRefundList = [
            refundLine(1, "6109100021", "棉制针织T恤", gmodel: "男式 M 码 100%棉", qty: "2", qty1: "0.4", unit: "011", unit1: "035"),
            refundLine(2, "4202220000", "帆布手提包", gmodel: "无品牌 35x40cm", qty: "1", qty1: "1", unit: "007", unit1: "007"),
        ]
        request.invtRefundList[1].qty2 = "0.35"
        request.invtRefundList[1].unit2 = "035"
        request.invtRefundList[1].note = "部分退货"
        request.originalIeFlag = "E"
        return request
    }

    static func refundLine(
        _ gnum: Int32, _ gcode: String, _ gname: String, gmodel: String = "", qty: String, qty1: String = "", unit: String,
        unit1: String = ""
    ) -> BizReturnRequestItem {
        var line = BizReturnRequestItem()
        line.gnum = gnum
        line.gcode = gcode
        line.gname = gname
        line.gmodel = gmodel
        line.qty = qty
        line.qty1 = qty1
        line.unit = unit
        line.unit1 = unit1
        return line
    }

    static func importReturn() -> BizReturnRequest {
        let cancel = importCancellation()
        var request = BizReturnRequest()
        request.guid = "C6250000-0000-4000-8000-000000000004"
        request.appType = .new
        request.appTime = "20261201120000"
        request.appStatus = .declared
        request.customsCode = "2991"
        request.orderNo = cancel.orderNo
        (request.ebpCode, request.ebpName) = (cancel.ebpCode, cancel.ebpName)
        (request.ebcCode, request.ebcName) = (cancel.ebcCode, cancel.ebcName)
        request.logisticsNo = importWaybill
        (request.logisticsCode, request.logisticsName) = (cancel.logisticsCode, cancel.logisticsName)
        request.copNo = "IRET-0000456"
        request.preNo = "R20261201000000456"
        request.invtNo = importInvtNo
        request.buyerIDType = "1"
        request.buyerIDNumber = cancel.buyerIDNumber
        request.buyerName = cancel.buyerName
        request.buyerTelephone = cancel.buyerTelephone
        (request.agentCode, request.agentName) = (cancel.agentCode, cancel.agentName)
        request.reason = "七天无理由退货"
        request.note = "进口退货"
        var line = refundLine(1, "3304990099", "保湿面霜", qty: "1.5", unit: "122")
        line.note = "整瓶未开封"
        request.invtRefundList = [line]
        request.originalIeFlag = "I"
        return request
    }

    static func returnTally() -> BizReturnTally {
        var tally = BizReturnTally()
        tally.guid = "C2150000-0000-4000-8000-000000000005"
        tally.appType = .new
        tally.appTime = "20261126083000"
        tally.appStatus = .declared
        tally.customsCode = "5141"
        (tally.operatorCode, tally.operatorName) = operatorSite
        (tally.logisticsCode, tally.logisticsName) = logistics
        tally.logisticsNo = "RT" + exportWaybill
        tally.invtNo = exportInvtNo
        tally.coElNo = "TALLY-2026-0001"
        tally.preNo = "O20261126000000011"
        tally.billNo = billNo
        tally.ieFlag = "I"
        tally.trafMode = "5"
        tally.trafName = "CZ3102"
        tally.voyageNo = "CZ3102"
        tally.location = "B区3号货架"
        tally.note = "退货到场理货"
        return tally
    }

    static func arrival() -> BizArrival {
        var arrival = BizArrival()
        arrival.guid = "C5070000-0000-4000-8000-000000000006"
        arrival.appType = .new
        arrival.appTime = "20261121140000"
        arrival.appStatus = .declared
        arrival.customsCode = "5141"
        arrival.copNo = "ARR-2026-0001"
        arrival.preNo = "Y20261121000000001"
        (arrival.operatorCode, arrival.operatorName) = operatorSite
        arrival.loctNo = "5141W00001"
        arrival.ieFlag = "E"
        arrival.trafMode = "5"
        arrival.billNo = billNo
        arrival.domesticTrafNo = "粤A12345"
        (arrival.logisticsCode, arrival.logisticsName) = logistics
        arrival.msgCount = 1
        arrival.msgSeqNo = 1
        arrival.note = "运抵"
        arrival.arrivalList = [parcel(1, exportWaybill, "PALLET-01"), parcel(2, "EX2026112100000322CN", "")]
        var last = arrival.arrivalList[1]
        last.note = "无总包"
        arrival.arrivalList[1] = last
        return arrival
    }

    static func parcel(_ gnum: Int32, _ logisticsNo: String, _ totalPackageNo: String) -> BizArrivalItem {
        var item = BizArrivalItem()
        item.gnum = gnum
        item.logisticsNo = logisticsNo
        item.totalPackageNo = totalPackageNo
        return item
    }

    static func departure() -> BizDeparture {
        var departure = BizDeparture()
        departure.guid = "C5090000-0000-4000-8000-000000000007"
        departure.appType = .new
        departure.appTime = "20261122020000"
        departure.appStatus = .declared
        departure.customsCode = "5141"
        departure.copNo = "DEP-2026-0001"
        departure.preNo = "L20261122000000001"
        (departure.logisticsCode, departure.logisticsName) = logistics
        departure.trafMode = "5"
        departure.trafName = "CZ3102"
        departure.voyageNo = "CZ3102"
        departure.billNo = billNo
        departure.leaveTime = "20261122013000"
        departure.msgCount = 1
        departure.msgSeqNo = 1
        departure.note = "离境"
        for (index, waybill) in [exportWaybill, "EX2026112100000322CN"].enumerated() {
            var item = BizDepartureItem()
            item.gnum = Int32(index + 1)
            item.totalPackageNo = index == 0 ? "PALLET-01" : ""
            item.logisticsNo = waybill
            item.note = index == 0 ? "" : "散件"
            departure.departureList.append(item)
        }
        return departure
    }

    static func waybillStatus() -> BizWaybillStatus {
        var status = BizWaybillStatus()
        status.guid = "C5130000-0000-4000-8000-000000000008"
        status.appType = .new
        status.appTime = "20261123180000"
        status.appStatus = .declared
        status.logisticsCode = "3301980003"
        status.logisticsName = "顺丰速运有限公司"
        status.logisticsNo = importWaybill
        status.logisticsStatus = "S"
        status.logisticsTime = "20261123175512"
        status.note = "本人签收"
        return status
    }

    static func masterWaybill() -> BizMasterWaybill {
        var bill = BizMasterWaybill()
        bill.guid = "C6070000-0000-4000-8000-000000000009"
        bill.appType = .new
        bill.appTime = "20261121150000"
        bill.appStatus = .declared
        bill.customsCode = "5141"
        bill.copNo = "MWB-2026-0001"
        bill.preNo = "Z20261121000000001"
        (bill.agentCode, bill.agentName) = agent
        bill.loctNo = "5141W00001"
        bill.trafMode = "5"
        bill.trafName = "CZ3102"
        bill.voyageNo = "CZ3102"
        bill.billNo = billNo
        bill.domesticTrafNo = "粤A12345"
        bill.grossWeight = "12.34500"
        (bill.logisticsCode, bill.logisticsName) = logistics
        bill.msgCount = 1
        bill.msgSeqNo = 1
        bill.note = "总分单"
        for (index, waybill) in [exportWaybill, "EX2026112100000322CN"].enumerated() {
            var item = BizMasterWaybillItem()
            item.gnum = Int32(index + 1)
            item.totalPackageNo = "PALLET-01"
            item.logisticsNo = waybill
            item.invtNo = index == 0 ? exportInvtNo : ""
            item.note = index == 0 ? "退货原出口清单" : ""
            bill.wayBillList.append(item)
        }
        return bill
    }

    static func warehouseEntry() -> BizWarehouseEntry {
        var entry = BizWarehouseEntry()
        entry.guid = "C7110000-0000-4000-8000-000000000010"
        entry.appType = .new
        entry.appTime = "20261120220000"
        entry.appStatus = .declared
        entry.customsCode = "2991"
        entry.copNo = "RKD-0000456"
        entry.preNo = "K20261120000000456"
        entry.rkdNo = "299120261120000456"
        entry.operatorCode = "3301980005"
        entry.operatorName = "杭州下沙保税物流中心"
        entry.ieFlag = "I"
        entry.trafMode = "5"
        entry.trafNo = "CA1042"
        entry.voyageNo = "CA1042"
        entry.billNo = "999-12345675"
        entry.logisticsCode = "3301980003"
        entry.logisticsName = "顺丰速运有限公司"
        entry.unloadLocation = "A区01库位"
        entry.note = "入库明细"
        for (index, waybill) in [importWaybill, "SF1234567890124"].enumerated() {
            var item = BizWarehouseEntryItem()
            item.gnum = Int32(index + 1)
            item.logisticsNo = waybill
            item.note = index == 0 ? "完好" : ""
            entry.deliveryList.append(item)
        }
        return entry
    }

    /// Customs' tax bill for the import parcel (section 3.17): two lines, taxes summed.
    static func taxBill() -> BizTaxBill {
        var bill = BizTaxBill()
        bill.guid = "C8160000-0000-4000-8000-000000000011"
        bill.returnTime = "20261121103000123"
        bill.invtNo = importInvtNo
        bill.taxNo = "TAX29912026000000456"
        bill.customsTax = "0"
        bill.valueAddedTax = "13.65"
        bill.consumptionTax = "15.75"
        bill.status = "1"
        bill.entDutyNo = "DUTY-2026-000456"
        bill.note = "跨境电商综合税"
        bill.assureCode = "3301960001"
        bill.ebcCode = "3301960002"
        bill.logisticsCode = "3301980003"
        bill.agentCode = "3301980004"
        bill.customsCode = "2991"
        for (index, (gcode, price, vat, consumption)) in [("3304990099", "100", "9.1", "10.5"), ("3304100000", "50", "4.55", "5.25")]
            .enumerated()
        {
            var line = BizTaxBillItem()
            line.gnum = Int32(index + 1)
            line.gcode = gcode
            line.taxPrice = price
            line.customsTax = "0"
            line.valueAddedTax = vat
            line.consumptionTax = consumption
            bill.taxListRd.append(line)
        }
        return bill
    }

    /// The tax bill summarized (section 3.18).
    static func taxStatus() -> BizTaxStatus {
        var status = BizTaxStatus()
        status.guid = "C8180000-0000-4000-8000-000000000012"
        status.returnTime = "20261201103000123"
        status.invtNo = importInvtNo
        status.taxNo = "TAX29912026000000456"
        status.status = "2"
        status.entDutyNo = "DUTY-2026-000456"
        status.assureCode = "3301960001"
        return status
    }
}
