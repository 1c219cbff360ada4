import HubCore
import HubProtocol

extension JournalInspector {
    /// What the journal holds about an inventory after its release: the cancellations and
    /// returns filed naming its `invt_no` and the hub's withdrawal and return notices about it.
    public struct AfterRelease: Sendable {
        /// `ceb.Cancellation` and `ceb.ReturnRequest` filings naming the inventory, in seq order.
        public var filings: [JournalRecord] = []
        /// The hub's `flow.WithdrawalNotice` and `flow.ReturnNotice` about it, in seq order.
        public var notices: [JournalRecord] = []

        /// Nothing filed or noticed.
        public var isEmpty: Bool { filings.isEmpty && notices.isEmpty }
    }

    /// The types read for ``afterRelease(invtNo:after:)``.
    static let afterReleaseTypes = [
        MessageType.cancellation.rawValue, MessageType.returnRequest.rawValue, MessageType.withdrawalNotice.rawValue,
        MessageType.returnNotice.rawValue,
    ]

    /// The cancellations, returns and the hub's notices about the inventory `invtNo`
    /// journaled after seq `after` (cancellations and returns are rare: their messages are
    /// read 5,000 at a time).
    ///
    /// - Parameters:
    ///   - invtNo: The inventory's customs number.
    ///   - after: Only messages after this seq (e.g. the declaration's first document's).
    public func afterRelease(invtNo: String, after: UInt64 = 0) throws -> AfterRelease {
        try queries.snapshot { journal in try Self.afterRelease(invtNo: invtNo, after: after, in: journal) }
    }

    static func afterRelease(invtNo: String, after: UInt64, in journal: any JournalQueries) throws -> AfterRelease {
        var found = AfterRelease()
        guard !invtNo.isEmpty else { return found }
        var after = after
        while true {
            let page = try journal.records(types: afterReleaseTypes, after: after, limit: 5000)
            guard let last = page.last else { return found }
            after = last.seq
            for record in page {
                switch MessageType(record.type) {
                case .cancellation where record.sender != HubConfig.hubParty:
                    if (try? BizCancellation(serializedBytes: record.body))?.invtNo == invtNo { found.filings.append(record) }
                case .returnRequest where record.sender != HubConfig.hubParty:
                    if (try? BizReturnRequest(serializedBytes: record.body))?.invtNo == invtNo { found.filings.append(record) }
                case .withdrawalNotice where record.sender == HubConfig.hubParty:
                    if (try? BizWithdrawalNotice(serializedBytes: record.body))?.invtNo == invtNo { found.notices.append(record) }
                case .returnNotice where record.sender == HubConfig.hubParty:
                    if (try? BizReturnNotice(serializedBytes: record.body))?.invtNo == invtNo { found.notices.append(record) }
                default:
                    break
                }
            }
        }
    }

    /// The inventory numbers customs gave the declaration of `documents`: its inventory's own
    /// and those its receipts carry.
    static func inventoryNumbers(documents: [JournalRecord], receipts: [JournalRecord]) -> [String] {
        var numbers: [String] = []
        let inventory = documents.first { $0.type == MessageType.inventory.rawValue }.flatMap {
            try? BizInventory(serializedBytes: $0.body)
        }
        for number in [inventory?.invtNo ?? ""] + receipts.compactMap({ (try? BizReceipt(serializedBytes: $0.body))?.invtNo })
        where !number.isEmpty && !numbers.contains(number) {
            numbers.append(number)
        }
        return numbers
    }
}
