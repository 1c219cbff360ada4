import Foundation
import HubClient
import HubProtocol
import Testing

/// `swhub adapter customs --simulate` as a real client process of a real hub: it answers a
/// registration and an inventory (receipts 100 ms apart), rides out a hub restart, and
/// stops on SIGTERM with a summary. The hub runs without flows, so the filer names customs as recipient and
/// subscribes to the answers itself.
@Suite("Simulated department adapter", .serialized, .timeLimit(.minutes(2)))
struct SimulatedAdapterTests {
    static let types = [
        "{name: reg.Registration, message: swhub.v1.Registration}",
        "{name: reg.Result, message: swhub.v1.RegistrationResult}",
        "{name: ceb.Inventory, message: swhub.v1.Inventory}",
        "{name: ceb.Receipt, message: swhub.v1.Receipt}",
    ]

    static func registration(_ copNo: String) throws -> [UInt8] {
        var filing = BizRegistration()
        filing.copNo = copNo
        filing.socialCreditCode = "91330108MA27Y5XK3F"
        filing.name = "杭州某某电子商务有限公司"
        filing.roles = [.platform]
        return try filing.serializedBytes()
    }

    static func inventory() throws -> [UInt8] {
        var inventory = BizInventory()
        inventory.guid = "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"
        inventory.customsCode = "2991"
        inventory.orderNo = "order-1"
        inventory.ebpCode = "3301960001"
        inventory.ebcCode = "3301968002"
        inventory.logisticsCode = "3301910004"
        inventory.logisticsNo = "LN-1"
        inventory.copNo = "COP-1"
        inventory.ieFlag = "I"
        return try inventory.serializedBytes()
    }

    @Test func customsAnswersRegistrationsAndInventoriesAcrossAHubRestart() async throws {
        let hub = try TestHub(
            parties: [.init(id: "enterprise", subscribes: ["reg.Result", "ceb.Receipt"]), .init(id: "customs")],
            types: Self.types)
        try await hub.start()
        let adapter = try hub.startSwhub(
            [
                "adapter", "customs", "--simulate", "--config", try hub.writeClientConfig("customs"),
                "--refusal-rate", "0", "--inspection-rate", "0", "--seed", "7", "--receipt-delay-ms", "100",
            ], logName: "adapter.log")
        let enterprise = try hub.client("enterprise", receive: true)
        defer { enterprise.close() }
        let inbox = DeliveryInbox(enterprise)
        try await enterprise.connect()

        _ = try await enterprise.submit(type: "reg.Registration", body: try Self.registration("COP-1"), to: ["customs"], id: "reg-1")
        _ = try await enterprise.submit(type: "ceb.Inventory", body: try Self.inventory(), to: ["customs"], id: "inv-1")
        let answers = try await inbox.wait(for: 4, within: .seconds(30))
        #expect(answers.count == 4, "\(answers.map(\.header.id)); adapter: \(hub.log(named: "adapter.log"))")
        #expect(answers.allSatisfy { $0.header.sender == "customs" })

        let result = try #require(answers.first { $0.header.type == "reg.Result" })
        #expect(result.header.id == "result:enterprise:reg-1")
        #expect(result.header.correlationID == "reg-1")
        let decision = try BizRegistrationResult(serializedBytes: result.body)
        #expect(decision.decision == .accepted)
        #expect(decision.department == "customs")
        #expect(decision.copNo == "COP-1")
        #expect(decision.code.count == 10)

        let receipts = answers.filter { $0.header.type == "ceb.Receipt" }
        #expect(receipts.map(\.header.id) == ["rcpt:enterprise:inv-1:120", "rcpt:enterprise:inv-1:800", "rcpt:enterprise:inv-1:899"])
        #expect(receipts.allSatisfy { $0.header.correlationID == "inv-1" })
        let journaled = receipts.map(\.header.journaledAtUs)
        #expect(journaled.count == 3 && journaled[2] - journaled[0] >= 200_000, "100 ms between receipts: \(journaled)")
        let statuses = try receipts.map { try BizReceipt(serializedBytes: $0.body) }
        #expect(statuses.map(\.returnStatus) == [120, 800, 899])
        #expect(statuses.allSatisfy { $0.orderNo == "order-1" && $0.invtNo.hasPrefix("2991") && $0.messageType == "CEB622Message" })

        // The hub restarts; the adapter reconnects by itself and answers what comes next.
        #expect(await hub.terminate() == 0)
        try await hub.start()
        _ = try await enterprise.submit(type: "reg.Registration", body: try Self.registration("COP-2"), to: ["customs"], id: "reg-2")
        let afterRestart = try await inbox.wait(for: 5, within: .seconds(30))
        #expect(afterRestart.last?.header.id == "result:enterprise:reg-2", "adapter: \(hub.log(named: "adapter.log"))")
        #expect(afterRestart.filter { $0.header.type == "reg.Result" }.count == 2, "nothing answered twice")

        // SIGTERM: a clean stop with a summary line.
        adapter.terminate()
        let stopped = try await InteropTests.wait(for: adapter, within: .seconds(15))
        let output = hub.log(named: "adapter.log")
        #expect(stopped, "the adapter did not stop on SIGTERM: \(output)")
        #expect(adapter.terminationStatus == 0, "\(output)")
        #expect(output.contains("adapter customs (simulated) as customs"), "\(output)")
        #expect(output.contains("adapter customs stopped: 3 deliveries handled, 5 replies journaled"), "\(output)")
    }

    @Test func withoutSimulateTheAdapterNeedsItsFoldersAndFormats() async throws {
        let hub = try TestHub(parties: [.init(id: "customs")], types: Self.types)
        let adapter = try hub.startSwhub(["adapter", "customs", "--config", try hub.writeClientConfig("customs")], logName: "adapter.log")
        #expect(try await InteropTests.wait(for: adapter, within: .seconds(10)))
        #expect(adapter.terminationStatus != 0)
        #expect(hub.log(named: "adapter.log").contains("has no `adapter:` section"))
    }
}
