import HubProtocol

/// Customs' receipts for ``CEBDocumentFixtures``' documents, from the receipt tables of the
/// specification (sections 2.8, 2.10, 2.14, 2.16, 2.18, 2.20, 3.8, 3.12, 3.14, 3.16, 3.19).
extension CEBDocumentFixtures {
    /// Customs' receipt for the fixture document it answers (the odd code before `root`).
    static func receipt(_ root: String) -> BizReceipt? {
        var receipt = BizReceipt()
        receipt.messageType = root
        receipt.guid = "R" + root.dropFirst(3).prefix(3) + "0000-0000-4000-8000-000000000100"
        receipt.returnTime = "20261126090000123"
        receipt.returnStatus = 120
        receipt.returnInfo = "海关入库"
        switch root {
        case "CEB606Message":
            let cancel = exportCancellation()
            receipt.agentCode = cancel.agentCode
            receipt.copNo = cancel.copNo
            receipt.preNo = cancel.preNo
            receipt.invtNo = cancel.invtNo
            receipt.returnStatus = 399
            receipt.returnInfo = "海关审结，同意撤销"
        case "CEB624Message":
            let cancel = importCancellation()
            receipt.customsCode = cancel.customsCode
            receipt.agentCode = cancel.agentCode
            receipt.ebpCode = cancel.ebpCode
            receipt.ebcCode = cancel.ebcCode
            receipt.copNo = cancel.copNo
            receipt.preNo = cancel.preNo
            receipt.invtNo = cancel.invtNo
            receipt.returnStatus = 100
            receipt.returnInfo = "海关退单: 清单已放行 & <不可撤销>"
        case "CEB214Message":
            let request = exportReturn()
            receipt.ebpCode = request.ebpCode
            receipt.ebcCode = request.ebcCode
            receipt.agentCode = request.agentCode
            receipt.coElNo = request.coElNo
            receipt.preNo = request.preNo
            receipt.invtNo = request.invtNo
            receipt.returnStatus = 800
            receipt.returnInfo = "放行"
        case "CEB626Message":
            let request = importReturn()
            receipt.customsCode = request.customsCode
            receipt.agentCode = request.agentCode
            receipt.ebpCode = request.ebpCode
            receipt.ebcCode = request.ebcCode
            receipt.copNo = request.copNo
            receipt.preNo = request.preNo
            receipt.invtNo = request.invtNo
        case "CEB216Message":
            let tally = returnTally()
            receipt.operatorCode = tally.operatorCode
            receipt.logisticsCode = tally.logisticsCode
            receipt.logisticsNo = tally.logisticsNo
            receipt.coElNo = tally.coElNo
            receipt.preNo = tally.preNo
            receipt.returnStatus = -216001
            receipt.returnInfo = "理货明细单重复申报"
        case "CEB508Message":
            let arrival = arrival()
            receipt.operatorCode = arrival.operatorCode
            receipt.logisticsCode = arrival.logisticsCode
            receipt.preNo = arrival.preNo
            receipt.copNo = arrival.copNo
            receipt.billNo = arrival.billNo
            receipt.msgSeqNo = arrival.msgSeqNo
        case "CEB510Message":
            let departure = departure()
            receipt.logisticsCode = departure.logisticsCode
            receipt.copNo = departure.copNo
            receipt.preNo = departure.preNo
            receipt.msgSeqNo = departure.msgSeqNo
            receipt.returnStatus = 399
            receipt.returnInfo = "离境审结"
        case "CEB514Message":
            let status = waybillStatus()
            receipt.logisticsCode = status.logisticsCode
            receipt.logisticsNo = status.logisticsNo
            receipt.logisticsStatus = status.logisticsStatus
        case "CEB608Message":
            let bill = masterWaybill()
            receipt.agentCode = bill.agentCode
            receipt.logisticsCode = bill.logisticsCode
            receipt.copNo = bill.copNo
            receipt.preNo = bill.preNo
            receipt.billNo = bill.billNo
            receipt.msgSeqNo = bill.msgSeqNo
        case "CEB900Message":
            // The format check of a CEB604 receipt file someone sent with a bad date (section 3.19).
            receipt.returnStatus = -900002
            receipt.returnInfo = "报文格式校验失败: returnTime 长度不符 & <17>"
            receipt.oriCopMsgID = "A1B2C3D4-0000-4000-8000-000000000001"
            receipt.oriMessageType = "CEB604Message"
            receipt.oriBizMessage = "<?xml version=\"1.0\"?><ceb:CEB604Message xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\"/>"
        case "CEB712Message":
            let entry = warehouseEntry()
            receipt.customsCode = entry.customsCode
            receipt.operatorCode = entry.operatorCode
            receipt.copNo = entry.copNo
            receipt.preNo = entry.preNo
            receipt.rkdNo = entry.rkdNo
        default:
            return nil
        }
        return receipt
    }
}
