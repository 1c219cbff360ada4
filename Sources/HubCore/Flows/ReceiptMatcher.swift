import HubProtocol

/// How a customs receipt joins its declaration: the one rule the flows apply
/// (`FlowEngine.receipt`) and `swhub trace` shows (`JournalInspector.trace`), so the two
/// cannot drift apart.
///
/// A declaration is registered with its inventory when the flows link it, and with the id
/// of the inventory's forward to customs when it is forwarded. A receipt then belongs to:
/// 1. the declaration whose inventory forward its `correlation_id` names;
/// 2. else, unless it answers the forward of another document (order, payment, waybill) or
///    is a summary declaration's receipt (CEB702 with `cop_no` `sum:…`), the declaration
///    of its (`ebp_code`, `order_no`), else of its `cop_no` — customs' own XML receipts
///    carry no hub ids.
/// A later declaration with the same keys takes them over.
public struct ReceiptMatcher<Subject: Hashable & Sendable>: Sendable {
    /// What a receipt is looked up by.
    public enum Key: Hashable, Sendable {
        /// The id of the inventory's forward to customs (`fwd:<filer>:<id>:inventory`).
        case forward(String)
        /// The order the inventory declares: (`ebp_code`, `order_no`).
        case order(ebpCode: String, orderNo: String)
        /// The enterprise's own number for the inventory (`cop_no`).
        case copNo(String)
    }

    // The keys by kind, a dictionary each: one of `Key` would give every entry the room of
    // the largest kind (two strings), and the flows keep a day of finished declarations'
    // keys (issue 20).
    private var forwards: [String: Subject] = [:]
    private var orders: [OrderKey: Subject] = [:]
    private var copNos: [String: Subject] = [:]

    private struct OrderKey: Hashable, Sendable {
        var ebpCode: String
        var orderNo: String
    }

    private subscript(key: Key) -> Subject? {
        get {
            switch key {
            case .forward(let id): forwards[id]
            case .order(let ebpCode, let orderNo): orders[OrderKey(ebpCode: ebpCode, orderNo: orderNo)]
            case .copNo(let copNo): copNos[copNo]
            }
        }
        set {
            switch key {
            case .forward(let id): forwards[id] = newValue
            case .order(let ebpCode, let orderNo): orders[OrderKey(ebpCode: ebpCode, orderNo: orderNo)] = newValue
            case .copNo(let copNo): copNos[copNo] = newValue
            }
        }
    }

    /// Every key with its subject, as one dictionary (a snapshot's form).
    private var index: [Key: Subject] {
        var index: [Key: Subject] = [:]
        index.reserveCapacity(forwards.count + orders.count + copNos.count)
        for (id, subject) in forwards { index[.forward(id)] = subject }
        for (key, subject) in orders { index[.order(ebpCode: key.ebpCode, orderNo: key.orderNo)] = subject }
        for (copNo, subject) in copNos { index[.copNo(copNo)] = subject }
        return index
    }

    public init() {}

    /// Registers a linked declaration under its inventory's keys.
    ///
    /// - Parameters:
    ///   - subject: What the receipts of the declaration should find.
    ///   - inventory: The declaration's inventory.
    public mutating func register(_ subject: Subject, inventory: BizInventory) {
        self[.order(ebpCode: inventory.ebpCode, orderNo: inventory.orderNo)] = subject
        if !inventory.copNo.isEmpty { self[.copNo(inventory.copNo)] = subject }
    }

    /// Registers the forward of a declaration's inventory to customs.
    ///
    /// - Parameters:
    ///   - subject: What the receipts of the declaration should find.
    ///   - forwardId: The forward's message id.
    public mutating func register(_ subject: Subject, forwardId: String) {
        self[.forward(forwardId)] = subject
    }

    /// Removes `keys` where they still lead to `subject` (a finished declaration's, once
    /// late receipts for it are no longer expected).
    ///
    /// - Parameters:
    ///   - subject: The subject whose keys go.
    ///   - keys: Its keys.
    public mutating func remove(_ subject: Subject, keys: [Key]) {
        for key in keys where self[key] == subject { self[key] = nil }
    }

    /// The declaration a receipt belongs to, if any.
    ///
    /// - Parameters:
    ///   - receipt: The receipt's body.
    ///   - correlationId: The receipt's correlation id (empty when it has none).
    /// - Returns: The registered subject, or nil.
    public func match(_ receipt: BizReceipt, correlationId: String) -> Subject? {
        if let subject = forwards[correlationId] { return subject }
        if Self.answersAnotherDocument(correlationId) || Self.isSummaryReceipt(receipt) { return nil }
        return orders[OrderKey(ebpCode: receipt.ebpCode, orderNo: receipt.orderNo)] ?? copNos[receipt.copNo]
    }

    /// Whether a receipt is customs' answer to a summary declaration (CEB702, `cop_no` =
    /// the summary's id), which belongs to no declaration.
    ///
    /// - Parameter receipt: The receipt's body.
    public static func isSummaryReceipt(_ receipt: BizReceipt) -> Bool {
        receipt.messageType.hasPrefix("CEB702") && receipt.copNo.hasPrefix(HubMessageId.Kind.summary.prefix)
    }

    /// Whether a correlation id names a forward other than an inventory's (an order's,
    /// payment's or waybill's): such a receipt answers that document, not the declaration.
    static func answersAnotherDocument(_ correlationId: String) -> Bool {
        guard correlationId.hasPrefix(HubMessageId.Kind.forward.prefix) else { return false }
        if case .forward(_, _, .inventory) = HubMessageId(correlationId) { return false }
        return true
    }
}

/// The index, for a snapshot (``FlowSnapshot``): each key a string of its own in the JSON
/// object, its kind's letter before its parts.
extension ReceiptMatcher: Codable where Subject: Codable {
    private enum CodingKeys: String, CodingKey {
        case index
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        for (key, subject) in try container.decode([Key: Subject].self, forKey: .index) { self[key] = subject }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
    }
}

extension ReceiptMatcher.Key: Codable, CodingKeyRepresentable {
    public var codingKey: any CodingKey {
        switch self {
        case .forward(let id): SnapshotKey(parts: ["f", id])
        case .order(let ebpCode, let orderNo): SnapshotKey(parts: ["o", ebpCode, orderNo])
        case .copNo(let copNo): SnapshotKey(parts: ["c", copNo])
        }
    }

    public init?<T: CodingKey>(codingKey: T) {
        let text = codingKey.stringValue
        if let parts = SnapshotKey.parts(of: text, count: 2), parts[0] == "f" {
            self = .forward(parts[1])
        } else if let parts = SnapshotKey.parts(of: text, count: 2), parts[0] == "c" {
            self = .copNo(parts[1])
        } else if let parts = SnapshotKey.parts(of: text, count: 3), parts[0] == "o" {
            self = .order(ebpCode: parts[1], orderNo: parts[2])
        } else {
            return nil
        }
    }
}
