import FlowSamples
import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import SwiftProtobuf

/// A hub with flows on and the cast of a single window: customs, tax, forex, post (also the
/// logistics company), two banks (bank-boc is also the payment company), and a platform
/// that is the e-commerce platform and enterprise. The test plays every party itself.
final class FlowWorld: @unchecked Sendable {
    static let platformCode = "91330100MA27XXXX1A"
    static let bankCode = "BKCHCNBJ"
    /// Registrations of the filers: (party, social credit code, customs code).
    static let filers: [(party: String, credit: String, customs: String)] = [
        ("platform", platformCode, "3301960001"), ("bank-boc", "91110000100000001B", "312226T001"),
        ("post", "91110000100000002C", "3301980002"),
    ]

    let hub: TestHub
    private(set) var clients: [String: HubClient] = [:]
    private(set) var inboxes: [String: DeliveryInbox] = [:]

    /// Every party of the cast, with its roles.
    static let cast: [TestHub.PartySpec] = [
        .init(id: "customs", roles: ["customs"]),
        .init(id: "tax", roles: ["tax"]),
        .init(id: "forex", roles: ["forex"]),
        .init(id: "post", hide: "{flow.ReleaseNotice: [pay_code, pay_transaction_id]}", roles: ["post", "logistics_company"]),
        .init(
            id: "bank-boc", hide: "{reg.Registration: [contact.telephone]}", roles: ["bank", "payment_company"],
            bankCodes: [bankCode]),
        .init(id: "bank-icbc", roles: ["bank"], bankCodes: ["ICBKCNBJ"]),
        .init(id: "platform", roles: ["platform", "ecommerce_enterprise"]),
    ]

    /// The nodes' endpoints the clients list, in a cluster (each party's list starts at a
    /// different node); empty: the one hub's.
    private let endpoints: [String]

    /// `risk` lines, if any, make the config's `risk:` section; `sealed`: personal fields
    /// sealed in the journal (a master key and `keys:`).
    init(flows: [String] = [], extraParties: [TestHub.PartySpec] = [], risk: [String] = [], sealed: Bool = false) async throws {
        hub = try TestHub(parties: Self.cast + extraParties, types: ["demo.Note"], flows: flows)
        if !risk.isEmpty { try hub.rewriteConfig { $0 + "risk:\n" + risk.map { "  \($0)\n" }.joined() } }
        if sealed {
            let master = hub.directory.appendingPathComponent("master.key").path
            let made = try programOutput(TestHub.executable, ["keys", "init", "--master-key-file", master])
            guard made.status == 0 else { throw TestHubError("swhub keys init failed: \(made.output)") }
            try hub.rewriteConfig { $0 + "keys: {master_key_file: master.key, vault: keys.sqlite}\n" }
        }
        endpoints = []
        try await hub.start()
    }

    /// The cast on running cluster nodes (made with `FlowWorld.cast` and flows on): the
    /// clients list every node and resubmit what is answered "retry later".
    init(cluster nodes: [TestHub]) {
        hub = nodes[0]
        endpoints = nodes.map(\.endpoint)
    }

    /// Connects every party, receiving.
    func connectAll() async throws {
        for party in ["customs", "tax", "forex", "post", "bank-boc", "bank-icbc", "platform"] {
            try await connect(party)
        }
    }

    func connect(_ party: String) async throws {
        var configuration = hub.clientConfiguration(party, receive: true)
        if !endpoints.isEmpty {
            let start = clients.count % endpoints.count
            configuration.endpoints = Array(endpoints[start...] + endpoints[..<start])
        }
        let client = try hub.client(configuration: configuration, name: party)
        clients[party] = client
        inboxes[party] = DeliveryInbox(client)
        try await client.connect()
    }

    func close() {
        for client in clients.values { client.close() }
        clients = [:]
        inboxes = [:]
    }

    func client(_ party: String) -> HubClient { clients[party]! }
    func inbox(_ party: String) -> DeliveryInbox { inboxes[party]! }

    @discardableResult
    func submit(
        _ party: String, _ type: String, _ message: some SwiftProtobuf.Message, id: String, to recipients: [String] = [],
        correlation: String = ""
    ) async throws -> SubmitReceipt {
        guard endpoints.isEmpty else {
            return try await ClusterSupport.submitUntilAccepted(
                client(party), type: type, body: try message.serializedBytes(), to: recipients, id: id, correlation: correlation)
        }
        return try await client(party).submit(
            type: type, body: try message.serializedBytes(), to: recipients, id: id, correlationId: correlation)
    }

    /// The hub code a submission is refused with (nil if accepted).
    func refusal(_ party: String, _ type: String, _ message: some SwiftProtobuf.Message, id: String, to recipients: [String] = [])
        async throws -> HubClientError?
    {
        do {
            try await submit(party, type, message, id: id, to: recipients)
            return nil
        } catch let error as HubClientError {
            return error
        }
    }

    /// Deliveries of `type` to `party` so far.
    func received(_ party: String, _ type: String) -> [Delivery] {
        inbox(party).all.filter { $0.header.type == type }
    }

    /// Waits until `party` has `count` deliveries of `type` matching `filter`.
    @discardableResult
    func wait(
        _ party: String, _ type: String, count: Int = 1, within limit: Duration = .seconds(15),
        where filter: @escaping @Sendable (Delivery) -> Bool = { _ in true }
    ) async throws -> [Delivery] {
        try await waitUntil(limit, "\(party) got \(received(party, type).filter(filter).count) of \(count) \(type)") {
            self.received(party, type).filter(filter).count >= count
        }
        return received(party, type).filter(filter)
    }

    /// Waits for a marker `party` sends itself: everything journaled for `party` before it
    /// has then arrived (delivery is in journal order per recipient), so a test can assert
    /// that something did not come instead of pausing and hoping.
    func barrier(_ party: String) async throws {
        try await inbox(party).deliveriesBeforeMarker(from: client(party), to: party)
    }

    /// Feedbacks `party` received about `subjectId`, decoded, in order.
    func feedbacks(_ party: String, subject subjectId: String) -> [BizFeedback] {
        received(party, "flow.Feedback").compactMap { try? BizFeedback(serializedBytes: $0.body) }.filter { $0.subjectID == subjectId }
    }

    func waitFeedback(
        _ party: String, subject: String, within limit: Duration = .seconds(15), _ condition: @escaping @Sendable (BizFeedback) -> Bool
    ) async throws -> BizFeedback {
        try await waitUntil(
            limit,
            "no feedback for \(subject) at \(party) matched; got \(feedbacks(party, subject: subject).map { "\($0.state) \($0.departments.map(\.status))" })"
        ) {
            self.feedbacks(party, subject: subject).contains(where: condition)
        }
        return feedbacks(party, subject: subject).last(where: condition)!
    }

    /// A department answers the registration shared with it.
    func answer(_ department: String, share: Delivery, accept: Bool = true, reason: String = "") async throws {
        let registration = try BizRegistration(serializedBytes: share.body)
        var result = BizRegistrationResult()
        result.copNo = registration.copNo
        result.socialCreditCode = registration.socialCreditCode
        result.department = department
        result.decision = accept ? .accepted : .refused
        result.code = accept ? "\(department.uppercased())-\(registration.socialCreditCode.suffix(6))" : ""
        result.reason = reason
        try await submit(department, "reg.Result", result, id: "result-\(department)-\(share.header.id)", correlation: share.header.id)
    }

    /// Registers each filer and has customs accept it.
    func registerFilers() async throws {
        for (index, filer) in Self.filers.enumerated() {
            let registration = SampleFilings.registration(
                copNo: "reg-\(filer.party)", socialCreditCode: filer.credit, customsCode: filer.customs, name: filer.party,
                roles: [.platform], bankCode: Self.bankCode)
            try await submit(filer.party, "reg.Registration", registration, id: "reg-\(filer.party)")
            let shares = try await wait("customs", "reg.Registration", count: index + 1)
            try await answer("customs", share: shares[index])
            _ = try await waitFeedback(filer.party, subject: "reg-\(filer.party)") {
                $0.departments.contains { $0.department == "customs" && $0.decision == .accepted }
            }
        }
    }

    /// Files the four documents of declaration `n` in the given order of
    /// "order", "payment", "waybill", "inventory".
    func file(_ n: Int, order: [String] = ["order", "payment", "waybill", "inventory"], mismatch: SampleFilings.Mismatch? = nil)
        async throws
    {
        let docs = SampleFilings.declaration(n, mismatch: mismatch)
        for document in order {
            switch document {
            case "order": try await submit("platform", "ceb.Order", docs.order, id: "order-\(n)")
            case "payment": try await submit("bank-boc", "ceb.Payment", docs.payment, id: "payment-\(n)")
            case "waybill": try await submit("post", "ceb.Waybill", docs.waybill, id: "waybill-\(n)")
            default: try await submit("platform", "ceb.Inventory", docs.inventory, id: "inventory-\(n)")
            }
        }
    }

    /// Customs sends a receipt for the forwarded inventory.
    /// Customs' receipt for `forward`, correlated with it, or, with `correlated: false`, as
    /// customs' own CEB files bring it: matched by the inventory's keys alone.
    func receipt(for forward: Delivery, status: Int32, info: String = "", correlated: Bool = true) async throws {
        let inventory = try BizInventory(serializedBytes: forward.body)
        var receipt = BizReceipt()
        receipt.messageType = "CEB622Message"
        receipt.ebpCode = inventory.ebpCode
        receipt.orderNo = inventory.orderNo
        receipt.copNo = inventory.copNo
        receipt.invtNo = "29912026I" + String(inventory.orderNo.suffix(9))
        receipt.returnStatus = status
        receipt.returnTime = "20261121120000000"
        receipt.returnInfo = info
        try await submit(
            "customs", "ceb.Receipt", receipt, id: "rcpt-\(forward.header.id)-\(status)", correlation: correlated ? forward.header.id : "")
    }
}
