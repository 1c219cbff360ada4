import Foundation
import HubCore
import HubProtocol
import HubStore

/// `swhub status`: a declaration's parcel history (arrivals, departures, waybill statuses
/// and customs' receipts for them, read from the journal, also after its release), and
/// `--awaiting-departure`: the released exports whose parcel has not departed.
extension Status {
    /// The history of the declaration a feedback is about, from the journal: the events
    /// naming its waybill's parcel. Empty for other filings, or when its waybill is missing.
    static func parcelEvents(of feedback: BizFeedback, inspector: JournalInspector) throws -> [BizDeclarationEvent] {
        guard feedback.subjectType == MessageType.inventory.rawValue,
            let line = feedback.documents.first(where: { $0.document == MessageType.waybill.rawValue }), !line.id.isEmpty,
            let record = try inspector.records(sender: line.filer, idPrefix: line.id).first(where: { $0.id == line.id }),
            let waybill = try? BizWaybill(serializedBytes: record.body), !waybill.logisticsNo.isEmpty
        else { return [] }
        return try inspector.parcelEvents(logisticsCode: waybill.logisticsCode, logisticsNo: waybill.logisticsNo)
    }

    /// The history lines of `status ID`.
    static func render(events: [BizDeclarationEvent]) -> [String] {
        guard !events.isEmpty else { return [] }
        return ["  parcel history:"]
            + events.map { event in
                var line =
                    "    \(time(event.atUs))  \(event.kind.padding(toLength: 19, withPad: " ", startingAt: 0))  \(event.document) \(event.id) by \(event.filer)"
                if !event.status.isEmpty { line += "  status \(event.status)" }
                if !event.time.isEmpty { line += "  at \(event.time)" }
                if !event.info.isEmpty { line += "  \(event.info)" }
                return line
            }
    }

    /// `--awaiting-departure`: the flows rebuilt from the whole journal (as a hub started
    /// without a snapshot would), then their released exports still waiting.
    static func awaitingDeparture(config: HubConfig, inspector: JournalInspector, json: Bool) throws {
        guard let flows = config.flows else {
            throw CommandFailure(.configuration, "the config has no flows: section; nothing is released by the hub")
        }
        let waiting = try rebuiltFlows(config: config, inspector: inspector).exportsAwaitingDeparture
        if json {
            for record in waiting {
                let object: [String: Any] = [
                    "invt_no": record.invtNo, "inventory_id": record.inventory.id, "inventory_filer": record.inventory.sender,
                    "filers": record.filers, "released_at_us": record.releasedAtUs,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                Output.line(String(decoding: data, as: UTF8.self))
            }
            return
        }
        guard flows.requireDeparture else {
            Output.line("flows.summary.require_departure is off: released exports are summary candidates at their release")
            return
        }
        Output.line("released exports waiting for their departure (离境, CEB509): \(waiting.count)")
        for record in waiting {
            Output.line(
                "  \(record.invtNo)  released \(time(record.releasedAtUs))  inventory \(record.inventory.id) by \(record.inventory.sender)  filers \(record.filers.joined(separator: ", "))"
            )
        }
    }

    /// The flows rebuilt from the whole journal, as a hub started without a snapshot would
    /// (what `--awaiting-departure` and `--held` list from): with the personal fields opened
    /// where the journal keeps them sealed (`keys:`), as the hub reads them, so that the
    /// rebuilt matching compares what was filed, not ciphertexts.
    static func rebuiltFlows(config: HubConfig, inspector: JournalInspector) throws -> FlowEngine {
        let seal = try PersonalDataCipher.make(config: config).map { PersonalDataSeal(config: config, cipher: $0.cipher) }
        var engine = FlowEngine(config: config, policy: try RedactionPolicy(config: config, schema: HubConfig.schema()))
        let types = HubConfig.flowTypes.keys.sorted()
        var after: UInt64 = 0
        while true {
            let page = try inspector.records(types: types, after: after, limit: 5000)
            for record in page {
                _ = engine.journaled(FlowInput(seal?.opened(record).record ?? record))
            }
            guard let last = page.last else { break }
            after = last.seq
        }
        return engine
    }
}
