import Foundation
import HubProtocol

/// 统计监测: trade statistics folded from the journaled business messages, in seq order.
///
/// The unit is the customs declaration, the inventory (`ceb.Inventory`) a filer sends.
/// Five outcomes are counted, each on the UTC day its message was journaled:
/// - `declared`: an inventory filed (sent by a party, not the hub's own forward to customs,
///   nor a deletion, app_type 3);
/// - `released`: the hub's `flow.ReleaseNotice` for it (customs' status 800);
/// - `refused`: the hub's refused `flow.Feedback` on it (三单对碰 failed, blacklist, or
///   customs' refusal);
/// - `cancelled`: a declaration withdrawn before its release (the hub's final feedback
///   WITHDRAWN on the inventory, not a replacement by app_type 2), with its declared value,
///   or a released inventory withdrawn by customs' approved cancellation (the hub's
///   `flow.WithdrawalNotice`), with what the release still covered
///   (TradeStatistics+AfterRelease.swift);
/// - `returned`: goods of a released inventory returned with customs' approval (the hub's
///   `flow.ReturnNotice`): one per return, the returned lines and the amounts reversed.
///
/// Values are kept in the declared currency (each line's `currency`, else the inventory's),
/// as exact decimals; CNY is worked out when a report is made (``TradeReport``), so a change of
/// rates needs no rebuild. Only organisations (enterprises, platforms) and codes are kept:
/// no personal data.
public struct TradeStatistics: Sendable, Equatable, Codable {
    /// One journal record, as much as the statistics read.
    public struct Record: Sendable {
        public var seq: UInt64
        public var type: String
        public var sender: String
        public var id: String
        public var journaledAtUs: Int64
        public var body: [UInt8]

        public init(seq: UInt64, type: String, sender: String, id: String, journaledAtUs: Int64, body: [UInt8]) {
            self.seq = seq
            self.type = type
            self.sender = sender
            self.id = id
            self.journaledAtUs = journaledAtUs
            self.body = body
        }
    }

    /// What an outcome is counted by.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case declared, released, refused, cancelled, returned
    }

    /// The dimensions of a declaration (and of one HS chapter of it).
    public struct Cell: Sendable, Hashable, Codable {
        /// UTC day, `YYYY-MM-DD`.
        public var day: String
        /// `import`, `export`, or the `ie_flag` as written when it is neither `I` nor `E`.
        public var direction: String
        /// The inventory's `trade_mode` (9610, 1210, ...).
        public var mode: String
        /// The inventory's `country` (customs code).
        public var country: String
        /// The e-commerce enterprise (`ebc_code`).
        public var enterprise: String
        /// The platform (`ebp_code`).
        public var platform: String
        public var outcome: Outcome
        /// First two digits of the goods' HS code; "" in a declaration cell.
        public var hsChapter: String
        public var currency: String
    }

    /// Declarations (or lines) and their value in one cell's currency.
    public struct Totals: Sendable, Equatable, Codable {
        public var count: Int = 0
        public var value: Decimal = 0

        public init(count: Int = 0, value: Decimal = 0) {
            self.count = count
            self.value = value
        }

        enum CodingKeys: String, CodingKey { case count, value }

        // The value as its decimal string, so nothing is rounded through a binary number.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            count = try container.decode(Int.self, forKey: .count)
            let text = try container.decode(String.self, forKey: .value)
            guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
                throw DecodingError.dataCorruptedError(forKey: .value, in: container, debugDescription: "'\(text)' is not a decimal")
            }
            self.value = value
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(count, forKey: .count)
            try container.encode(value.description, forKey: .value)
        }
    }

    /// A filed declaration not yet released or finally refused: what its outcome is counted by.
    struct Pending: Sendable, Equatable, Codable {
        var direction: String
        var mode: String
        var country: String
        var enterprise: String
        var platform: String
        /// Value by currency, and value and line count by HS chapter and currency.
        var values: [String: Totals]
        var chapters: [String: [String: Totals]]
    }

    /// Declarations by cell (hsChapter ""): count is declarations, value the sum of lines.
    public private(set) var declarations: [Cell: Totals] = [:]
    /// Lines by cell with their HS chapter: count is lines.
    public private(set) var lines: [Cell: Totals] = [:]
    /// Every `ceb.Inventory` record folded, the hub's forwards included (what `swhub stats`
    /// counts for the type).
    public private(set) var inventoryRecords = 0
    /// The last seq folded.
    public private(set) var lastSeq: UInt64 = 0
    /// Declarations awaiting their outcome, by `filer:id`.
    var pending: [String: Pending] = [:]
    /// Released inventories a withdrawal or return notice can still come for, by the release
    /// notice's id (TradeStatistics+AfterRelease.swift).
    var released: [String: Released] = [:]
    /// The day ``released`` was last pruned.
    var releasedPrunedDay = ""
    /// Refused declarations by cell (outcome `refused`, hsChapter and currency "") and
    /// ``RefusalReason`` code: a declaration refused for several reasons counts under each.
    public private(set) var refusals: [Cell: [String: Int]] = [:]
    /// The layout of what is folded; a cache holding another one is folded again from the
    /// journal (``TradeStatisticsCache``). 2: `refusals` added. 3: outcomes `cancelled` and
    /// `returned`, `released` added.
    public static let currentFormat = 3
    /// The layout these statistics were folded in.
    public private(set) var format = TradeStatistics.currentFormat

    public init() {}

    /// The message types the statistics read.
    public static let types: [String] = [
        MessageType.inventory.rawValue, MessageType.releaseNotice.rawValue, MessageType.feedback.rawValue,
        MessageType.withdrawalNotice.rawValue, MessageType.returnNotice.rawValue,
    ]

    /// Folds one record; records must come in seq order (older ones are skipped).
    public mutating func fold(_ record: Record) {
        guard record.seq > lastSeq else { return }
        lastSeq = record.seq
        switch record.type {
        case MessageType.inventory.rawValue:
            inventoryRecords += 1
            // A deletion (app_type 3) is no declaration: the one it deletes ends WITHDRAWN.
            guard record.sender != HubConfig.hubParty, let inventory = try? BizInventory(serializedBytes: record.body),
                inventory.appType != .delete
            else { return }
            let filed = Self.pending(inventory)
            pending["\(record.sender):\(record.id)"] = filed
            add(filed, outcome: .declared, atUs: record.journaledAtUs)
        case MessageType.releaseNotice.rawValue:
            guard record.sender == HubConfig.hubParty,
                case .releaseNotice(let filer, let inventoryId)? = HubMessageId(record.id),
                let notice = try? BizReleaseNotice(serializedBytes: record.body)
            else { return }
            let filed = pending.removeValue(forKey: "\(filer):\(inventoryId)") ?? Self.pending(notice)
            add(filed, outcome: .released, atUs: record.journaledAtUs)
            noteRelease(record, filed)
        case MessageType.feedback.rawValue:
            guard record.sender == HubConfig.hubParty, let feedback = try? BizFeedback(serializedBytes: record.body),
                feedback.subjectType == MessageType.inventory.rawValue,
                case .feedback(let subjectId, let subjectSender, _)? = HubMessageId(record.id)
            else { return }
            let key = "\(subjectSender):\(subjectId)"
            if feedback.state == .refused, let filed = pending.removeValue(forKey: key) {
                add(filed, outcome: .refused, atUs: record.journaledAtUs)
                let cell = Cell(
                    day: Self.day(record.journaledAtUs), direction: filed.direction, mode: filed.mode, country: filed.country,
                    enterprise: filed.enterprise, platform: filed.platform, outcome: .refused, hsChapter: "", currency: "")
                for code in RefusalReason.codes(of: feedback) { refusals[cell, default: [:]][code, default: 0] += 1 }
            } else if feedback.final, feedback.state == .withdrawn, let filed = pending.removeValue(forKey: key) {
                if !Self.replaced(feedback) { add(filed, outcome: .cancelled, atUs: record.journaledAtUs) }
            } else if feedback.final, feedback.state != .accepted {
                // Finished without release or refusal (expired): nothing more will come.
                pending[key] = nil
            }
        case MessageType.withdrawalNotice.rawValue:
            guard record.sender == HubConfig.hubParty, let notice = try? BizWithdrawalNotice(serializedBytes: record.body) else { return }
            withdrawn(notice, atUs: record.journaledAtUs)
        case MessageType.returnNotice.rawValue:
            guard record.sender == HubConfig.hubParty, let notice = try? BizReturnNotice(serializedBytes: record.body) else { return }
            returned(notice, atUs: record.journaledAtUs)
        default:
            return
        }
    }

    /// Folds records in order.
    public mutating func fold(_ records: some Sequence<Record>) {
        for record in records { fold(record) }
    }

    mutating func add(_ filed: Pending, outcome: Outcome, atUs: Int64) {
        let day = Self.day(atUs)
        var cell = Cell(
            day: day, direction: filed.direction, mode: filed.mode, country: filed.country, enterprise: filed.enterprise,
            platform: filed.platform, outcome: outcome, hsChapter: "", currency: "")
        let currencies = filed.values.isEmpty ? ["": Totals()] : filed.values
        for (index, (currency, totals)) in currencies.sorted(by: { $0.key < $1.key }).enumerated() {
            cell.currency = currency
            // A declaration with lines in several currencies is counted once, under its first.
            declarations[cell, default: Totals()].count += index == 0 ? 1 : 0
            declarations[cell, default: Totals()].value += totals.value
        }
        for (chapter, byCurrency) in filed.chapters {
            for (currency, totals) in byCurrency {
                cell.hsChapter = chapter
                cell.currency = currency
                lines[cell, default: Totals()].count += totals.count
                lines[cell, default: Totals()].value += totals.value
            }
        }
    }

    static func pending(_ inventory: BizInventory) -> Pending {
        pending(
            ieFlag: inventory.ieFlag, mode: inventory.tradeMode, country: inventory.country, enterprise: inventory.ebcCode,
            platform: inventory.ebpCode, currency: inventory.currency, items: inventory.inventoryList)
    }

    static func pending(_ notice: BizReleaseNotice) -> Pending {
        pending(
            ieFlag: notice.ieFlag, mode: notice.tradeMode, country: notice.country, enterprise: notice.ebcCode,
            platform: notice.ebpCode, currency: notice.currency, items: notice.inventoryList)
    }

    static func pending(
        ieFlag: String, mode: String, country: String, enterprise: String, platform: String, currency: String,
        items: [BizInventoryItem]
    ) -> Pending {
        var filed = Pending(
            direction: ieFlag == "I" ? "import" : ieFlag == "E" ? "export" : ieFlag, mode: mode, country: country,
            enterprise: enterprise, platform: platform, values: [:], chapters: [:])
        for item in items {
            let lineCurrency = item.currency.isEmpty ? currency : item.currency
            // The standard's decimal form (as the 三单对碰 compares amounts); "" or malformed counts 0.
            let value = DeclarationMatcher.decimal(item.totalPrice) ?? 0
            filed.values[lineCurrency, default: Totals()].value += value
            let chapter = String(item.gcode.prefix(2))
            filed.chapters[chapter, default: [:]][lineCurrency, default: Totals()].count += 1
            filed.chapters[chapter, default: [:]][lineCurrency, default: Totals()].value += value
        }
        return filed
    }

    /// The statistics of one enterprise (`ebc_code`) only, for a report about it.
    public func only(enterprise: String) -> TradeStatistics {
        var kept = self
        kept.declarations = declarations.filter { $0.key.enterprise == enterprise }
        kept.lines = lines.filter { $0.key.enterprise == enterprise }
        kept.refusals = refusals.filter { $0.key.enterprise == enterprise }
        kept.pending = pending.filter { $0.value.enterprise == enterprise }
        kept.released = released.filter { $0.value.enterprise == enterprise }
        return kept
    }

    /// The UTC day of a time in microseconds, `YYYY-MM-DD`.
    public static func day(_ us: Int64) -> String { CivilDay(microseconds: us).iso }
}
