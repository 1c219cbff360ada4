import FlowSamples
import HubProtocol

extension FlowWorld {
    /// The post (the logistics company) files a departure (CEB509), id `id`, listing the
    /// parcels of declarations `numbers` (``SampleFilings/declaration(_:mismatch:)``), and
    /// waits for the hub's feedback about it; returns the departure.
    @discardableResult
    func depart(_ numbers: [Int], id: String) async throws -> BizDeparture {
        let waybills = numbers.map { SampleFilings.declaration($0).waybill }
        let departure = SampleFilings.departure(
            copNo: "COP-\(id)", logisticsCode: waybills.first?.logisticsCode ?? "", logisticsNos: waybills.map(\.logisticsNo))
        try await submit("post", MessageType.departure.rawValue, departure, id: id)
        _ = try await waitFeedback("post", subject: id) { $0.final }
        return departure
    }
}
