import HubCore
import HubProtocol

extension JournalInspector {
    /// The journal's arrivals (CEB507), departures (CEB509) and waybill statuses (CEB513)
    /// that name the parcel (`logistics_code`, `logistics_no`), with customs' receipts
    /// correlated with them, as history events in seq order: what `swhub status` shows of a
    /// declaration's parcel, also long after its release.
    ///
    /// - Parameters:
    ///   - logisticsCode: The waybill's logistics company.
    ///   - logisticsNo: The waybill's number.
    /// - Returns: The events, oldest first.
    public func parcelEvents(logisticsCode: String, logisticsNo: String) throws -> [BizDeclarationEvent] {
        try queries.snapshot { journal in
            var events: [(seq: UInt64, event: BizDeclarationEvent)] = []
            for record in try Self.parcelDocuments(logisticsCode: logisticsCode, logisticsNo: logisticsNo, in: journal) {
                if let event = ParcelLedger.event(
                    type: record.type, sender: record.sender, id: record.id, body: record.body, atUs: record.journaledAtUs)
                {
                    events.append((record.seq, event))
                }
                for receipt in try journal.records(correlationId: record.id)
                where receipt.type == MessageType.receipt.rawValue && receipt.seq > record.seq {
                    if let event = ParcelLedger.event(
                        type: receipt.type, sender: receipt.sender, id: receipt.id, body: receipt.body, atUs: receipt.journaledAtUs)
                    {
                        events.append((receipt.seq, event))
                    }
                }
            }
            return events.sorted { $0.seq < $1.seq }.map(\.event)
        }
    }

    /// The arrivals, departures and waybill statuses naming the parcel, in seq order.
    static func parcelDocuments(logisticsCode: String, logisticsNo: String, in journal: any JournalQueries) throws -> [JournalRecord] {
        let types = [MessageType.arrival, MessageType.departure, MessageType.waybillStatus].map(\.rawValue)
        var found: [JournalRecord] = []
        var after: UInt64 = 0
        while true {
            let page = try journal.records(types: types, after: after, limit: 1000)
            for record in page where record.sender != HubConfig.hubParty {
                if let named = ParcelLedger.parcels(type: record.type, body: record.body), named.logisticsCode == logisticsCode,
                    named.logisticsNos.contains(logisticsNo)
                {
                    found.append(record)
                }
            }
            guard let last = page.last, page.count == 1000 else { break }
            after = last.seq
        }
        return found
    }

    /// The arrivals, departures and waybill statuses naming the parcel of the declaration
    /// whose documents are `documents` (its waybill's keys).
    static func parcelDocuments(of documents: [JournalRecord], in journal: any JournalQueries) throws -> [JournalRecord] {
        guard let record = documents.first(where: { $0.type == MessageType.waybill.rawValue }),
            let waybill = try? BizWaybill(serializedBytes: record.body), !waybill.logisticsNo.isEmpty
        else { return [] }
        return try parcelDocuments(logisticsCode: waybill.logisticsCode, logisticsNo: waybill.logisticsNo, in: journal)
    }
}
