import Foundation
import HubClient
import HubTestSupport

extension DeliveryInbox {
    /// A barrier instead of a pause: `sender` submits a marker note addressed to `party`
    /// (this inbox's party), and the call waits for it. The hub delivers each recipient's
    /// messages in journal order, so once the marker is here, everything journaled for
    /// `party` before it has arrived too. Returns the deliveries that came before the
    /// marker (the marker itself is left in the inbox).
    ///
    /// - Parameters:
    ///   - sender: any connected client the hub lets send `type` to `party` (the party's own
    ///     client works: a sender named as a recipient gets its message).
    ///   - party: the party this inbox receives for.
    ///   - type: a type the hub's config knows (TestHub's default `demo.Note`).
    ///   - limit: how long the marker may take.
    @discardableResult
    func deliveriesBeforeMarker(
        from sender: HubClient, to party: String, type: String = "demo.Note", within limit: Duration = .seconds(10)
    ) async throws -> [Delivery] {
        let id = "marker-\(UUID().uuidString)"
        _ = try await sender.submit(type: type, body: Array("marker".utf8), to: [party], id: id)
        try await waitUntil(limit, "the marker \(id) did not reach \(party)") { self.all.contains { $0.header.id == id } }
        let all = self.all
        return Array(all.prefix { $0.header.id != id })
    }
}
