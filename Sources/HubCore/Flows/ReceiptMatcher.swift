import HubProtocol

/// How a customs receipt joins its declaration: the one rule the flows apply
/// (`FlowEngine.receipt`) and `swhub trace` shows (`JournalInspector.trace`), so the two
/// cannot drift apart.
///
/// A receipt answers one document, named by its `message_type` (``Kind``): CEB312/304 an
/// order, 412/404 a payment, 512/506 a waybill, 622/604 an inventory, 702 a summary; a
/// receipt without a message type answers the document whose forward its
/// `correlation_id` names, else the inventory. A declaration is registered with its
/// documents when the flows link it, and with the id of its inventory's forward to customs
/// when it is forwarded. A receipt then belongs to:
/// 1. the declaration whose forward (of any of its documents) its `correlation_id` names;
/// 2. else, by the keys of the document it answers: an order's (`ebp_code`, `order_no`),
///    else (`ebc_code`, `order_no`); a payment's (`pay_code`, `pay_transaction_id`), else
///    (`ebc_code`, `order_no`) (export proceeds, CEB404); a waybill's (`logistics_code`,
///    `logistics_no`); an inventory's (`ebp_code`, `order_no`), else its `cop_no` —
///    customs' own XML receipts carry no hub ids.
/// A summary declaration's receipt (CEB702 with `cop_no` `sum:…`) and a receipt of a
/// message type that answers none of the four documents belong to no declaration. A later
/// declaration with the same keys takes them over.
public struct ReceiptMatcher<Subject: Hashable & Sendable>: Sendable {
    /// What a receipt is looked up by.
    public enum Key: Hashable, Sendable {
        /// The id of the inventory's forward to customs (`fwd:<filer>:<id>:inventory`).
        case forward(String)
        /// The order the inventory declares: (`ebp_code`, `order_no`).
        case order(ebpCode: String, orderNo: String)
        /// The enterprise's own number for the inventory (`cop_no`).
        case copNo(String)
        /// The payment: (`pay_code`, `pay_transaction_id`).
        case payment(payCode: String, transactionId: String)
        /// The enterprise and its order: (`ebc_code`, `order_no`), for export proceeds'
        /// receipts (CEB404) and orders' receipts without `ebp_code`.
        case enterpriseOrder(ebcCode: String, orderNo: String)
        /// The waybill: (`logistics_code`, `logistics_no`).
        case waybill(logisticsCode: String, logisticsNo: String)
    }

    /// Which document a receipt answers, from its `message_type`.
    public enum Kind: Sendable, Equatable {
        /// One of a declaration's four documents.
        case document(DeclarationDocument)
        /// A summary declaration's receipt (CEB702).
        case summary
        /// A receipt of another message type (none of the four documents).
        case other

        /// The kind of a receipt's `message_type` (its root element, e.g. `CEB622Message`),
        /// nil when it is empty.
        public init?(messageType: String) {
            guard !messageType.isEmpty else { return nil }
            switch messageType.prefix(6) {
            case "CEB304", "CEB312": self = .document(.order)
            case "CEB404", "CEB412": self = .document(.payment)
            case "CEB506", "CEB512": self = .document(.waybill)
            case "CEB604", "CEB622": self = .document(.inventory)
            case "CEB702": self = .summary
            default: self = .other
            }
        }
    }

    // The keys by kind, a dictionary each: one of `Key` would give every entry the room of
    // the largest kind (two strings), and the flows keep a day of finished declarations'
    // keys (issue 20).
    private var forwards: [String: Subject] = [:]
    private var orders: [OrderKey: Subject] = [:]
    private var copNos: [String: Subject] = [:]
    private var payments: [OrderKey: Subject] = [:]  // (pay_code, pay_transaction_id)
    private var enterpriseOrders: [OrderKey: Subject] = [:]  // (ebc_code, order_no)
    private var waybills: [OrderKey: Subject] = [:]  // (logistics_code, logistics_no)

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
            case .payment(let payCode, let transactionId): payments[OrderKey(ebpCode: payCode, orderNo: transactionId)]
            case .enterpriseOrder(let ebcCode, let orderNo): enterpriseOrders[OrderKey(ebpCode: ebcCode, orderNo: orderNo)]
            case .waybill(let logisticsCode, let logisticsNo): waybills[OrderKey(ebpCode: logisticsCode, orderNo: logisticsNo)]
            }
        }
        set {
            switch key {
            case .forward(let id): forwards[id] = newValue
            case .order(let ebpCode, let orderNo): orders[OrderKey(ebpCode: ebpCode, orderNo: orderNo)] = newValue
            case .copNo(let copNo): copNos[copNo] = newValue
            case .payment(let payCode, let transactionId): payments[OrderKey(ebpCode: payCode, orderNo: transactionId)] = newValue
            case .enterpriseOrder(let ebcCode, let orderNo):
                enterpriseOrders[OrderKey(ebpCode: ebcCode, orderNo: orderNo)] = newValue
            case .waybill(let logisticsCode, let logisticsNo):
                waybills[OrderKey(ebpCode: logisticsCode, orderNo: logisticsNo)] = newValue
            }
        }
    }

    /// Every key with its subject, as one dictionary (a snapshot's form).
    private var index: [Key: Subject] {
        var index: [Key: Subject] = [:]
        index.reserveCapacity(forwards.count + orders.count + copNos.count + payments.count + enterpriseOrders.count + waybills.count)
        for (id, subject) in forwards { index[.forward(id)] = subject }
        for (key, subject) in orders { index[.order(ebpCode: key.ebpCode, orderNo: key.orderNo)] = subject }
        for (copNo, subject) in copNos { index[.copNo(copNo)] = subject }
        for (key, subject) in payments { index[.payment(payCode: key.ebpCode, transactionId: key.orderNo)] = subject }
        for (key, subject) in enterpriseOrders { index[.enterpriseOrder(ebcCode: key.ebpCode, orderNo: key.orderNo)] = subject }
        for (key, subject) in waybills { index[.waybill(logisticsCode: key.ebpCode, logisticsNo: key.orderNo)] = subject }
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

    /// Registers a linked declaration under the keys of all its documents (the inventory's
    /// as ``register(_:inventory:)``, and the payment's and the waybill's).
    ///
    /// - Parameters:
    ///   - subject: What the receipts of the declaration should find.
    ///   - declaration: The declaration's documents.
    public mutating func register(_ subject: Subject, declaration: DeclarationLinker.Declaration) {
        for key in Self.keys(of: declaration) { self[key] = subject }
    }

    /// The keys a declaration's documents are registered under (``register(_:declaration:)``),
    /// empty parts left out.
    ///
    /// - Parameter declaration: The declaration's documents.
    public static func keys(of declaration: DeclarationLinker.Declaration) -> [Key] {
        let inventory = declaration.inventory.document
        let payment = declaration.payment.document
        let waybill = declaration.waybill.document
        var keys: [Key] = [.order(ebpCode: inventory.ebpCode, orderNo: inventory.orderNo)]
        if !inventory.copNo.isEmpty { keys.append(.copNo(inventory.copNo)) }
        if !inventory.ebcCode.isEmpty { keys.append(.enterpriseOrder(ebcCode: inventory.ebcCode, orderNo: inventory.orderNo)) }
        if !payment.payTransactionID.isEmpty { keys.append(.payment(payCode: payment.payCode, transactionId: payment.payTransactionID)) }
        if !waybill.logisticsNo.isEmpty { keys.append(.waybill(logisticsCode: waybill.logisticsCode, logisticsNo: waybill.logisticsNo)) }
        return keys
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

    /// The subject registered under `key`, if any.
    ///
    /// - Parameter key: A key.
    public func subject(for key: Key) -> Subject? { self[key] }

    /// The declaration a receipt belongs to, if any, whichever of its documents it answers.
    ///
    /// - Parameters:
    ///   - receipt: The receipt's body.
    ///   - correlationId: The receipt's correlation id (empty when it has none).
    /// - Returns: The registered subject, or nil.
    public func match(_ receipt: BizReceipt, correlationId: String) -> Subject? {
        matchDocument(receipt, correlationId: correlationId)?.subject
    }

    /// The declaration a receipt belongs to and the document of it the receipt answers, if
    /// any (see the type's description).
    ///
    /// - Parameters:
    ///   - receipt: The receipt's body.
    ///   - correlationId: The receipt's correlation id (empty when it has none).
    /// - Returns: The registered subject and the document, or nil.
    public func matchDocument(_ receipt: BizReceipt, correlationId: String) -> (subject: Subject, document: DeclarationDocument)? {
        let forward: (inventoryForward: String, document: DeclarationDocument)? =
            if case .forward(let filer, let inventoryId, let document) = HubMessageId(correlationId) {
                (HubMessageId.forward(filer: filer, inventoryId: inventoryId, document: .inventory).description, document)
            } else {
                nil
            }
        let document: DeclarationDocument
        switch Kind(messageType: receipt.messageType) {
        case .document(let named): document = named
        case .summary, .other: return nil
        case nil: document = forward?.document ?? .inventory
        }
        if let forward, let subject = forwards[forward.inventoryForward] { return (subject, document) }
        if Self.isSummaryReceipt(receipt) { return nil }
        let subject: Subject? =
            switch document {
            case .order:
                self[.order(ebpCode: receipt.ebpCode, orderNo: receipt.orderNo)]
                    ?? self[.enterpriseOrder(ebcCode: receipt.ebcCode, orderNo: receipt.orderNo)]
            case .payment:
                self[.payment(payCode: receipt.payCode, transactionId: receipt.payTransactionID)]
                    ?? self[.enterpriseOrder(ebcCode: receipt.ebcCode, orderNo: receipt.orderNo)]
            case .waybill:
                self[.waybill(logisticsCode: receipt.logisticsCode, logisticsNo: receipt.logisticsNo)]
            case .inventory:
                orders[OrderKey(ebpCode: receipt.ebpCode, orderNo: receipt.orderNo)] ?? copNos[receipt.copNo]
            }
        return subject.map { ($0, document) }
    }

    /// Whether a receipt is customs' answer to a summary declaration (CEB702, `cop_no` =
    /// the summary's id), which belongs to no declaration.
    ///
    /// - Parameter receipt: The receipt's body.
    public static func isSummaryReceipt(_ receipt: BizReceipt) -> Bool {
        receipt.messageType.hasPrefix("CEB702") && receipt.copNo.hasPrefix(HubMessageId.Kind.summary.prefix)
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
        case .payment(let payCode, let transactionId): SnapshotKey(parts: ["p", payCode, transactionId])
        case .enterpriseOrder(let ebcCode, let orderNo): SnapshotKey(parts: ["e", ebcCode, orderNo])
        case .waybill(let logisticsCode, let logisticsNo): SnapshotKey(parts: ["w", logisticsCode, logisticsNo])
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
        } else if let parts = SnapshotKey.parts(of: text, count: 3), parts[0] == "p" {
            self = .payment(payCode: parts[1], transactionId: parts[2])
        } else if let parts = SnapshotKey.parts(of: text, count: 3), parts[0] == "e" {
            self = .enterpriseOrder(ebcCode: parts[1], orderNo: parts[2])
        } else if let parts = SnapshotKey.parts(of: text, count: 3), parts[0] == "w" {
            self = .waybill(logisticsCode: parts[1], logisticsNo: parts[2])
        } else {
            return nil
        }
    }
}
