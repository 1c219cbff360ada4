import HubProtocol
import SwiftProtobuf

/// Fixtures of the standard's other documents (cancellations, returns, tallies, arrivals,
/// departures, waybill statuses, master waybills, warehouse entries), every field set, as
/// the ProtoJSON a filer would send (the standard's element names).
extension BusinessFixtures {
    static var customsDocuments: [any SwiftProtobuf.Message] {
        [
            cancellation, returnRequestItem, returnRequest, returnTally, arrivalItem, arrival, departureItem, departure, waybillStatus,
            masterWaybillItem, masterWaybill, warehouseEntryItem, warehouseEntry, taxBillItem, taxBill, taxStatus,
        ]
    }

    /// The message of `json`; a fixture that does not parse is a bug of this file.
    static func parsed<M: SwiftProtobuf.Message>(_ json: String, as type: M.Type = M.self) -> M {
        do {
            return try M(jsonString: json)
        } catch {
            fatalError("fixture \(M.protoMessageName) does not parse: \(error)")
        }
    }

    static let documentHead = """
        "guid": "C6050000-0000-4000-8000-000000000001", "appType": "APP_TYPE_NEW", "appTime": "20261121093000",
        "appStatus": "APP_STATUS_DECLARED", "note": "备注"
        """

    static var cancellation: BizCancellation {
        parsed(
            """
            {\(documentHead), "customsCode": "2991", "copNo": "CANCEL-1", "preNo": "B20261121000000031",
             "invtNo": "29912026I000000456", "reason": "订购人申请退单", "agentCode": "3301980004", "agentName": "杭州报关",
             "ebcCode": "3301960002", "ebcName": "杭州海淘", "orderNo": "ORD-456", "ebpCode": "3301960001", "ebpName": "杭州平台",
             "logisticsNo": "SF1234567890123", "logisticsCode": "3301980003", "logisticsName": "顺丰", "buyerIdType": "1",
             "buyerIdNumber": "330102199001011234", "buyerName": "张三", "buyerTelephone": "13800000000", "ieFlag": "I"}
            """)
    }

    static var returnRequestItem: BizReturnRequestItem {
        parsed(
            """
            {"gnum": 1, "gcode": "6109100021", "gname": "棉制针织T恤", "gmodel": "M 码", "qty": "2", "unit": "011",
             "qty1": "0.4", "unit1": "035", "qty2": "1", "unit2": "007", "note": "部分退货"}
            """)
    }

    static var returnRequest: BizReturnRequest {
        var request: BizReturnRequest = parsed(
            """
            {\(documentHead), "customsCode": "5141", "loctNo": "5141W00001", "ebpCode": "4401960001", "ebpName": "广州平台",
             "ebcCode": "440196000A", "ebcName": "广州优选", "logisticsNo": "RT2026112100000321", "logisticsCode": "4401980AB3",
             "logisticsName": "邮政速递", "coElNo": "RET-1", "copNo": "IRET-1", "preNo": "B20261125000000009",
             "invtNo": "51412026E000000123", "tradeMode": "9661", "agentCode": "4401980002", "agentName": "广州报关",
             "billNo": "784-20261121", "ieFlag": "I", "trafMode": "5", "trafName": "CZ3102", "portCode": "5141",
             "reason": "商品破损", "country": "116", "voyageNo": "CZ3102", "orderNo": "ORD-1", "buyerIdType": "1",
             "buyerIdNumber": "330102199001011234", "buyerName": "张三", "buyerTelephone": "13800000000",
             "originalIeFlag": "E"}
            """)
        request.invtRefundList = [returnRequestItem]
        return request
    }

    static var returnTally: BizReturnTally {
        parsed(
            """
            {\(documentHead), "customsCode": "5141", "operatorCode": "4401980009", "operatorName": "白云机场快件中心",
             "logisticsCode": "4401980AB3", "logisticsName": "邮政速递", "logisticsNo": "RT2026112100000321",
             "invtNo": "51412026E000000123", "coElNo": "TALLY-1", "preNo": "O20261126000000011", "billNo": "784-20261121",
             "ieFlag": "I", "trafMode": "5", "trafName": "CZ3102", "voyageNo": "CZ3102", "location": "B区3号货架"}
            """)
    }

    static var arrivalItem: BizArrivalItem {
        parsed(#"{"gnum": 1, "logisticsNo": "EX2026112100000321CN", "totalPackageNo": "PALLET-01", "note": "完好"}"#)
    }

    static var arrival: BizArrival {
        var arrival: BizArrival = parsed(
            """
            {\(documentHead), "customsCode": "5141", "copNo": "ARR-1", "preNo": "Y20261121000000001",
             "operatorCode": "4401980009", "operatorName": "白云机场快件中心", "loctNo": "5141W00001", "ieFlag": "E",
             "trafMode": "5", "billNo": "784-20261121", "domesticTrafNo": "粤A12345", "logisticsCode": "4401980AB3",
             "logisticsName": "邮政速递", "msgCount": 1, "msgSeqNo": 1}
            """)
        arrival.arrivalList = [arrivalItem]
        return arrival
    }

    static var departureItem: BizDepartureItem {
        parsed(#"{"gnum": 1, "totalPackageNo": "PALLET-01", "logisticsNo": "EX2026112100000321CN", "note": "散件"}"#)
    }

    static var departure: BizDeparture {
        var departure: BizDeparture = parsed(
            """
            {\(documentHead), "customsCode": "5141", "copNo": "DEP-1", "preNo": "L20261122000000001",
             "logisticsCode": "4401980AB3", "logisticsName": "邮政速递", "trafMode": "5", "trafName": "CZ3102",
             "voyageNo": "CZ3102", "billNo": "784-20261121", "leaveTime": "20261122013000", "msgCount": 1, "msgSeqNo": 1}
            """)
        departure.departureList = [departureItem]
        return departure
    }

    static var waybillStatus: BizWaybillStatus {
        parsed(
            """
            {\(documentHead), "logisticsCode": "3301980003", "logisticsName": "顺丰", "logisticsNo": "SF1234567890123",
             "logisticsStatus": "S", "logisticsTime": "20261123175512"}
            """)
    }

    static var masterWaybillItem: BizMasterWaybillItem {
        parsed(
            #"{"gnum": 1, "totalPackageNo": "PALLET-01", "logisticsNo": "EX2026112100000321CN", "invtNo": "51412026E000000123", "note": "退货"}"#
        )
    }

    static var masterWaybill: BizMasterWaybill {
        var bill: BizMasterWaybill = parsed(
            """
            {\(documentHead), "customsCode": "5141", "copNo": "MWB-1", "preNo": "Z20261121000000001",
             "agentCode": "4401980002", "agentName": "广州报关", "loctNo": "5141W00001", "trafMode": "5", "trafName": "CZ3102",
             "voyageNo": "CZ3102", "billNo": "784-20261121", "domesticTrafNo": "粤A12345", "grossWeight": "12.345",
             "logisticsCode": "4401980AB3", "logisticsName": "邮政速递", "msgCount": 1, "msgSeqNo": 1}
            """)
        bill.wayBillList = [masterWaybillItem]
        return bill
    }

    static var warehouseEntryItem: BizWarehouseEntryItem {
        parsed(#"{"gnum": 1, "logisticsNo": "SF1234567890123", "note": "完好"}"#)
    }

    static var warehouseEntry: BizWarehouseEntry {
        var entry: BizWarehouseEntry = parsed(
            """
            {\(documentHead), "customsCode": "2991", "copNo": "RKD-1", "preNo": "K20261120000000456",
             "rkdNo": "299120261120000456", "operatorCode": "3301980005", "operatorName": "下沙保税物流中心", "ieFlag": "I",
             "trafMode": "5", "trafNo": "CA1042", "voyageNo": "CA1042", "billNo": "999-12345675", "logisticsCode": "3301980003",
             "logisticsName": "顺丰", "unloadLocation": "A区01库位"}
            """)
        entry.deliveryList = [warehouseEntryItem]
        return entry
    }

    static var taxBillItem: BizTaxBillItem {
        parsed(
            """
            {"gnum": 1, "gcode": "3304990099", "taxPrice": "100.00", "customsTax": "0", "valueAddedTax": "9.10",
             "consumptionTax": "10.50"}
            """)
    }

    static var taxBill: BizTaxBill {
        var bill: BizTaxBill = parsed(
            """
            {"guid": "C8160000-0000-4000-8000-000000000001", "returnTime": "20261121103000123", "invtNo": "29912026I000000456",
             "taxNo": "TAX29912026000000456", "customsTax": "0", "valueAddedTax": "9.10", "consumptionTax": "10.50",
             "status": "1", "entDutyNo": "DUTY-456", "note": "电子税单", "assureCode": "3301960001", "ebcCode": "3301960002",
             "logisticsCode": "3301980003", "agentCode": "3301980004", "customsCode": "2991"}
            """)
        bill.taxListRd = [taxBillItem]
        return bill
    }

    static var taxStatus: BizTaxStatus {
        parsed(
            """
            {"guid": "C8180000-0000-4000-8000-000000000001", "returnTime": "20261201103000123", "invtNo": "29912026I000000456",
             "taxNo": "TAX29912026000000456", "status": "2", "entDutyNo": "DUTY-456", "assureCode": "3301960001"}
            """)
    }
}
