import DepartmentFormats
import HubProtocol

/// Customs: receipts for forwarded inventories, results for summary declarations.
extension SimulatedDepartment {
    /// The receipts for an inventory, all with `correlation_id` = the delivered id and ids
    /// `rcpt:<key>:<status>`: 100 alone when refused; otherwise 120 (with `pre_no` and
    /// `invt_no` assigned), 500 when inspected, 800 and 899, each `receiptDelayMs` after the
    /// one before (and stamped that much later, at least 1 ms, so return times increase).
    mutating func inventoryReceipts(_ inventory: BizInventory, header: WireHeader, nowUs: Int64) -> [Reply] {
        let key = Self.subjectKey(header)
        var assigned = inventory
        if assigned.preNo.isEmpty {
            assigned.preNo = "P" + CEBTime.date(nowUs) + StableHash(seed: options.seed, "pre_no", party, key).digits(9)
        }
        var steps: [(status: CustomsStatus, info: String)]
        if decides("refuse", key, rate: options.refusalRate) {
            stats.refused += 1
            steps = [(.rejected, "simulated refusal: 三单信息不符 (the declared goods do not match the order)")]
        } else {
            if assigned.invtNo.isEmpty {
                let flag = inventory.ieFlag == "E" ? "E" : "I"
                let serial = StableHash(seed: options.seed, "invt_no", party, key).digits(9)
                assigned.invtNo = Self.office(inventory.customsCode) + CEBTime.year(nowUs) + flag + serial
            }
            steps = [(.accepted, "海关入库: accepted")]
            if decides("inspect", key, rate: options.inspectionRate) {
                stats.inspected += 1
                steps.append((.inspection, "海关查验: simulated inspection"))
            }
            steps += [(.released, "放行: released"), (.closed, "结关: closed")]
        }
        if let body: [UInt8] = try? assigned.serializedBytes() {
            keep(.inventory, body)
        }
        let stepMs = Int64(max(options.receiptDelayMs, 1))
        return steps.enumerated().map { index, step in
            var receipt = Self.receipt(for: assigned)
            receipt.status = step.status
            receipt.returnTime = CEBTime.returnTime(nowUs + Int64(index) * stepMs * 1000)
            receipt.returnInfo = step.info
            return reply(
                .receipt, receipt, correlationId: header.id, id: "rcpt:\(key):\(step.status)",
                delayMs: index == 0 ? 0 : options.receiptDelayMs)
        }
    }

    /// A receipt (CEB622 import, CEB604 export) naming the inventory's keys.
    static func receipt(for inventory: BizInventory) -> BizReceipt {
        var receipt = BizReceipt()
        let export = inventory.ieFlag == "E"
        receipt.messageType = export ? "CEB604Message" : "CEB622Message"
        receipt.guid = inventory.guid
        receipt.customsCode = inventory.customsCode
        receipt.ebpCode = inventory.ebpCode
        receipt.ebcCode = inventory.ebcCode
        receipt.agentCode = inventory.agentCode
        receipt.orderNo = inventory.orderNo
        receipt.logisticsCode = inventory.logisticsCode
        receipt.logisticsNo = inventory.logisticsNo
        receipt.copNo = inventory.copNo
        receipt.preNo = inventory.preNo
        receipt.invtNo = inventory.invtNo
        if export { receipt.statisticsFlag = inventory.statisticsFlag }
        return receipt
    }

    /// The result of a summary declaration (CEB792), `correlation_id` = the delivered id,
    /// id `sumres:<key>`: a `sum_no` when the declaration has none, an 18-digit `entry_id`
    /// (office, year, 1 for export, 9 digits), one list line per inventory, with the
    /// waybill number and first HS code of the inventories customs received.
    mutating func summaryResult(_ summary: BizSummaryDeclaration, header: WireHeader, nowUs: Int64) -> Reply {
        let key = Self.subjectKey(header)
        var result = BizSummaryResult()
        result.guid = Self.guid(seed: options.seed, party, "summary", key)
        result.customsCode = summary.customsCode
        result.sumNo =
            summary.sumNo.isEmpty
            ? "S" + CEBTime.date(nowUs) + StableHash(seed: options.seed, "sum_no", party, key).digits(9) : summary.sumNo
        result.opDate = CEBTime.returnTime(nowUs)
        result.entryID =
            Self.office(summary.customsCode) + CEBTime.year(nowUs) + "1"
            + StableHash(seed: options.seed, "entry_id", party, key).digits(9)
        result.decState = "1"
        result.agentCode = summary.agentCode
        result.agentName = summary.agentName
        result.ebcCode = summary.ebcCode
        result.ebcName = summary.ebcName
        result.declAgentCode = summary.declAgentCode
        result.declAgentName = summary.declAgentName
        result.msgCount = 1
        result.msgSeqNo = 1
        let known = inventories(numbered: Set(summary.invtNo))
        result.summaryResultList = summary.invtNo.enumerated().map { index, number in
            var line = BizSummaryResultItem()
            line.invtNo = number
            line.gseqno = Int32(index + 1)
            line.gnum = 1
            if let inventory = known[number] {
                line.logisticsNo = inventory.logisticsNo
                line.gcode = inventory.inventoryList.first?.gcode ?? ""
            }
            return line
        }
        return reply(.summaryResult, result, correlationId: header.id, id: "sumres:\(key)")
    }

    /// The kept inventories with these numbers, the latest of each.
    private func inventories(numbered numbers: Set<String>) -> [String: BizInventory] {
        var found: [String: BizInventory] = [:]
        guard !numbers.isEmpty else { return found }
        for record in kept.records where record.type == MessageType.inventory.rawValue {
            if let inventory = try? BizInventory(serializedBytes: record.body), numbers.contains(inventory.invtNo) {
                found[inventory.invtNo] = inventory
            }
        }
        return found
    }

    /// The 4-character customs office a number starts with: the code's first four
    /// characters, zero-padded on the left when shorter.
    static func office(_ customsCode: String) -> String {
        let head = String(customsCode.prefix(4))
        return String(repeating: "0", count: 4 - head.count) + head
    }

    /// A GUID-shaped (8-4-4-4-12, upper-case hex) id derived from the seed and the parts.
    static func guid(seed: UInt64, _ parts: String...) -> String {
        StableGUID.make(["\(seed)"] + parts)
    }
}

/// Customs: receipts for cancellations and returns.
extension SimulatedDepartment {
    /// The receipt for a cancellation (CEB606 export, CEB624 import), `correlation_id` = the
    /// delivered id, addressed to its filer, id `rcpt:<key>:<status>`: 399 (海关审结,
    /// approved) when customs numbered the inventory it names, else 100 (退单).
    mutating func cancellationReceipt(_ cancellation: BizCancellation, header: WireHeader, nowUs: Int64) -> Reply {
        let known = inventories(numbered: [cancellation.invtNo])[cancellation.invtNo]
        var receipt = BizReceipt()
        let export = cancellation.ieFlag == "E" || known?.ieFlag == "E"
        receipt.messageType = export ? "CEB606Message" : "CEB624Message"
        receipt.guid = Self.guid(seed: options.seed, party, "cancellation", Self.subjectKey(header))
        receipt.customsCode = cancellation.customsCode
        receipt.agentCode = cancellation.agentCode
        receipt.ebcCode = cancellation.ebcCode
        receipt.ebpCode = cancellation.ebpCode
        receipt.orderNo = cancellation.orderNo
        receipt.copNo = cancellation.copNo
        receipt.preNo = cancellation.preNo
        receipt.invtNo = cancellation.invtNo
        receipt.returnTime = CEBTime.returnTime(nowUs)
        if known == nil {
            stats.refused += 1
            receipt.status = .rejected
            receipt.returnInfo = "海关退单: no inventory \(cancellation.invtNo) declared"
        } else {
            receipt.status = .approved
            receipt.returnInfo = "海关审结: cancellation approved"
        }
        return filerReply(receipt, header: header)
    }

    /// The receipt for a return (CEB214 export, 800 放行; CEB626 import, 399 审结), as
    /// ``cancellationReceipt(_:header:nowUs:)``: approved when customs numbered the
    /// inventory, else 100.
    mutating func returnReceipt(_ request: BizReturnRequest, header: WireHeader, nowUs: Int64) -> Reply {
        let known = inventories(numbered: [request.invtNo])[request.invtNo]
        var receipt = BizReceipt()
        let export = request.originalIeFlag == "E" || (request.originalIeFlag.isEmpty && known?.ieFlag == "E")
        receipt.messageType = export ? "CEB214Message" : "CEB626Message"
        receipt.guid = Self.guid(seed: options.seed, party, "return", Self.subjectKey(header))
        receipt.customsCode = request.customsCode
        receipt.agentCode = request.agentCode
        receipt.ebpCode = request.ebpCode
        receipt.ebcCode = request.ebcCode
        receipt.preNo = request.preNo
        receipt.invtNo = request.invtNo
        if export { receipt.coElNo = request.coElNo } else { receipt.copNo = request.copNo }
        receipt.returnTime = CEBTime.returnTime(nowUs)
        if known == nil {
            stats.refused += 1
            receipt.status = .rejected
            receipt.returnInfo = "海关退单: no inventory \(request.invtNo) declared"
        } else {
            receipt.status = export ? .released : .approved
            receipt.returnInfo = export ? "放行: return approved" : "海关审结: return approved"
        }
        return filerReply(receipt, header: header)
    }

    /// A receipt answering the delivered filing: `correlation_id` its id, addressed to its
    /// sender (the hub's flows read it anyway).
    private func filerReply(_ receipt: BizReceipt, header: WireHeader) -> Reply {
        let recipients = header.sender.isEmpty || header.sender == Self.hubParty ? [] : [header.sender]
        return reply(
            .receipt, receipt, correlationId: header.id, recipients: recipients,
            id: "rcpt:\(Self.subjectKey(header)):\(receipt.status)")
    }
}
