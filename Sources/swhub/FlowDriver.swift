import FlowSamples
import Foundation
import HubClient
import HubCore
import HubProtocol
import HubStore
import SwiftProtobuf

/// The enterprises of a single window on this machine (`swhub demo`, the flow
/// benchmarks): the platform files orders, inventories and its merchants' registrations
/// and receives the unified feedback; the paying bank and the post file payments and
/// waybills. Feedback is collected as it arrives, with the time each filing reached each
/// state.
final class FlowDriver: @unchecked Sendable {
    /// The latest feedback of every filing and when it first reached a final or accepted state.
    final class Board: @unchecked Sendable {
        private let lock = NSLock()
        private var latest: [String: BizFeedback] = [:]
        private var settledAt: [String: ContinuousClock.Instant] = [:]
        private var settledTotal = 0

        func record(_ feedback: BizFeedback) {
            lock.withLock {
                latest[feedback.subjectID] = feedback
                if settledAt[feedback.subjectID] == nil && (feedback.final || feedback.state == .accepted) {
                    settledAt[feedback.subjectID] = .now
                    settledTotal += 1
                }
            }
        }

        func feedback(_ id: String) -> BizFeedback? { lock.withLock { latest[id] } }
        func settled(_ id: String) -> ContinuousClock.Instant? { lock.withLock { settledAt[id] } }
        func settledCount(_ ids: [String]) -> Int { lock.withLock { ids.filter { settledAt[$0] != nil }.count } }
        /// Filings settled so far, all of them.
        var total: Int { lock.withLock { settledTotal } }
    }

    let setup: SingleWindowSetup
    let board = Board()
    private let platform: HubClient
    private let filers: [String: HubClient]

    init(setup: SingleWindowSetup) async throws {
        self.setup = setup
        platform = try setup.client("platform", receive: true)
        var filers: [String: HubClient] = ["platform": platform]
        for party in ["bank-boc", "post", "shady"] { filers[party] = try setup.client(party, receive: false) }
        self.filers = filers
        for client in filers.values { try await client.connect(timeout: .seconds(20)) }
        let stream = platform.deliveries
        let board = board
        Task { [platform] in
            for await delivery in stream {
                if delivery.header.messageType == .feedback, let feedback = try? BizFeedback(serializedBytes: delivery.body) {
                    board.record(feedback)
                }
                platform.acknowledge(delivery.seq)
            }
        }
    }

    func close() {
        for client in filers.values { client.close() }
    }

    static let filerCodes: [(party: String, credit: String, customs: String)] = [
        ("platform", "91330100MA27PLAT1A", "3301960001"), ("bank-boc", "91110000BOC000001B", "312226T001"),
        ("post", "91110000POST00002C", "3301980002"),
    ]
    static let shadyCode = "91330100MA2SHADY9X"

    @discardableResult
    func submit(_ party: String, _ type: MessageType, _ message: some SwiftProtobuf.Message, id: String) async throws -> SubmitReceipt {
        try await filers[party]!.submit(type: type.rawValue, body: try message.serializedBytes(), id: id)
    }

    /// Registers the three filers until customs accepted each (a simulated customs may
    /// refuse one; it files again under a new id). Feedback of the post's and the bank's
    /// own registrations goes to their department adapters, so it is read from the journal.
    func registerFilers(timeout: Duration = .seconds(60)) async throws {
        let inspector = try JournalAccess.inspector(HubConfig.load(path: setup.configPath).store)
        for filer in Self.filerCodes {
            var attempt = 0
            while true {
                attempt += 1
                let id = "reg-\(filer.party)-\(attempt)"
                let registration = SampleFilings.registration(
                    copNo: id, socialCreditCode: filer.credit, customsCode: filer.customs, name: filer.party,
                    roles: [.platform, .ecommerceEnterprise, .paymentCompany, .logisticsCompany], bankCode: SingleWindowSetup.bankCode)
                try await submit(filer.party, .registration, registration, id: id)
                let customs = try await customsDecision(inspector, subject: id, filer: filer.party, timeout: timeout)
                if customs == .accepted { break }
                guard attempt < 20 else { throw BenchError("customs refused \(filer.party)'s registration 20 times") }
            }
        }
    }

    private func customsDecision(_ inspector: JournalInspector, subject: String, filer: String, timeout: Duration) async throws
        -> BizDecision
    {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let records = try inspector.records(
                sender: HubConfig.hubParty, idPrefix: HubMessageId.feedbackPrefix(subjectId: subject, subjectSender: filer))
            if let last = records.last, let feedback = try? BizFeedback(serializedBytes: last.body),
                let customs = feedback.departments.first(where: { $0.department == "customs" }), customs.decision != .pending
            {
                return customs.decision
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError("no customs decision on \(subject) within \(timeout)")
    }

    /// The platform registers merchant `n` (its id is returned).
    func registerMerchant(_ n: Int, prefix: String) async throws -> String {
        let id = "\(prefix)reg-merchant-\(n)"
        let digits = String(n)
        let code = "91330100MA" + String(repeating: "0", count: max(0, 7 - digits.count)) + digits + "M"
        let registration = SampleFilings.registration(
            copNo: id, socialCreditCode: code, customsCode: "", name: "商户 \(n)", roles: [.ecommerceEnterprise],
            bankCode: SingleWindowSetup.bankCode)
        try await submit("platform", .registration, registration, id: id)
        return id
    }

    /// Files declaration `n`: its four documents in one of the 24 arrival orders; returns
    /// the inventory's id (the declaration's subject id).
    func declare(_ n: Int, prefix: String, mismatch: SampleFilings.Mismatch?) async throws -> String {
        let docs = SampleFilings.declaration(n, mismatch: mismatch)
        var kinds = ["order", "payment", "waybill", "inventory"]
        var permutation = n % 24
        var order: [String] = []
        while !kinds.isEmpty {
            let factorial = (1..<kinds.count).reduce(1, *)
            order.append(kinds.remove(at: permutation / factorial))
            permutation %= factorial
        }
        let inventoryId = "\(prefix)inventory-\(n)"
        for kind in order {
            switch kind {
            case "order": try await submit("platform", .order, docs.order, id: "\(prefix)order-\(n)")
            case "payment": try await submit("bank-boc", .payment, docs.payment, id: "\(prefix)payment-\(n)")
            case "waybill": try await submit("post", .waybill, docs.waybill, id: "\(prefix)waybill-\(n)")
            default: try await submit("platform", .inventory, docs.inventory, id: inventoryId)
            }
        }
        return inventoryId
    }

    /// Waits until every subject has settled (final feedback, or released); returns how
    /// many did.
    func waitSettled(_ ids: [String], timeout: Duration, progress: (Int) -> Void = { _ in }) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var settled = 0
        while ContinuousClock.now < deadline {
            settled = board.settledCount(ids)
            progress(settled)
            if settled == ids.count { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return settled
    }
}
