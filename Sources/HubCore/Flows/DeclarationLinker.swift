import HubProtocol

/// Links the four documents of a declaration — order, payment, waybill, inventory — that
/// arrive from different parties in any order, and runs 三单对碰 once all four are there.
/// A value: documents in, actions out.
///
/// The inventory anchors a declaration: it names its order by (ebp_code, order_no) and its
/// waybill by (logistics_code, logistics_no). The payment is found by the order's
/// (pay_code, pay_transaction_id), or, when the order names no transaction or no payment
/// carries it, by its own (ebp_code, order_no); the waybill, failing its logistics number,
/// by its order_no. Documents found through the fallback usually fail a link rule, which
/// is the point: the filer learns which field disagrees instead of waiting forever.
public struct DeclarationLinker: Sendable {
    /// A document with the id it was journaled under and its sender.
    public struct Filed<Document: Sendable & Equatable>: Sendable, Equatable {
        public var id: String
        public var sender: String
        public var document: Document

        public init(id: String, sender: String, document: Document) {
            self.id = id
            self.sender = sender
            self.document = document
        }
    }

    /// The four documents of one declaration.
    public struct Declaration: Sendable, Equatable {
        public var order: Filed<BizOrder>
        public var payment: Filed<BizPayment>
        public var waybill: Filed<BizWaybill>
        public var inventory: Filed<BizInventory>

        public init(order: Filed<BizOrder>, payment: Filed<BizPayment>, waybill: Filed<BizWaybill>, inventory: Filed<BizInventory>) {
            self.order = order
            self.payment = payment
            self.waybill = waybill
            self.inventory = inventory
        }
    }

    /// An inventory whose declaration still lacks documents, with those it has.
    public struct Waiting: Sendable, Equatable {
        public var inventory: Filed<BizInventory>
        public var order: Filed<BizOrder>?
        public var payment: Filed<BizPayment>?
        public var waybill: Filed<BizWaybill>?

        /// The documents not there yet, in the order order, payment, waybill.
        public var missing: [DeclarationDocument] {
            [order == nil ? .order : nil, payment == nil ? .payment : nil, waybill == nil ? .waybill : nil].compactMap { $0 }
        }

        /// Every party that filed one of the documents there, each once, the inventory's first.
        public var filers: [String] {
            var filers: [String] = []
            for party in [inventory.sender, order?.sender, payment?.sender, waybill?.sender].compactMap({ $0 })
            where !filers.contains(party) {
                filers.append(party)
            }
            return filers
        }
    }

    /// What the flow must do.
    public enum Action: Sendable, Equatable {
        /// All four documents agree: forward the inventory with its linked documents to customs.
        case matched(Declaration)
        /// All four are there and disagree: tell the filers which rules failed.
        case mismatched(Declaration, [MatchFailure])
        /// An inventory's declaration was looked at again (a document of it arrived or went)
        /// and still lacks documents.
        case waiting(Waiting)
    }

    struct Key: Hashable, Sendable, Comparable, Codable, CodingKeyRepresentable {
        var a: String
        var b: String

        init(a: String, b: String) {
            self.a = a
            self.b = b
        }

        static func < (lhs: Key, rhs: Key) -> Bool { (lhs.a, lhs.b) < (rhs.a, rhs.b) }

        var codingKey: any CodingKey { SnapshotKey(parts: [a, b]) }

        init?<T: CodingKey>(codingKey: T) {
            guard let parts = SnapshotKey.parts(of: codingKey.stringValue, count: 2) else { return nil }
            self.init(a: parts[0], b: parts[1])
        }
    }

    private(set) var orders: [Key: Filed<BizOrder>] = [:]  // (ebp_code, order_no)
    var paymentsByTransaction: [Key: Filed<BizPayment>] = [:]  // (pay_code, pay_transaction_id)
    var paymentsByOrder: [Key: Filed<BizPayment>] = [:]  // (ebp_code, order_no)
    var waybillsByNumber: [Key: Filed<BizWaybill>] = [:]  // (logistics_code, logistics_no)
    var waybillsByOrder: [String: Filed<BizWaybill>] = [:]  // order_no
    private(set) var waiting: [Key: Filed<BizInventory>] = [:]  // inventories not yet complete, by (ebp_code, order_no)
    /// The documents of mismatched declarations, kept for a corrected filing, by
    /// ``keptKey(_:_:)`` (a dictionary, not a set, so that a snapshot writes it sorted; nil
    /// when none, as in a snapshot of an older build).
    var kept: [String: Bool]?
    /// Who to look at again when a payment or a waybill arrives, kept with `orders` and
    /// `waiting` by ``setOrder(_:at:)`` and ``setWaiting(_:at:)``; not in a snapshot, rebuilt
    /// when one is loaded.
    private var index = Index()

    public init() {}

    /// Inventories still waiting for a document.
    public var waitingInventories: Int { waiting.count }

    public mutating func add(order: Filed<BizOrder>) -> [Action] {
        let key = Key(a: order.document.ebpCode, b: order.document.orderNo)
        setOrder(order, at: key)
        return complete(key)
    }

    public mutating func add(payment: Filed<BizPayment>) -> [Action] {
        let doc = payment.document
        if !doc.payCode.isEmpty || !doc.payTransactionID.isEmpty {
            paymentsByTransaction[Key(a: doc.payCode, b: doc.payTransactionID)] = payment
        }
        let key = Key(a: doc.ebpCode, b: doc.orderNo)
        paymentsByOrder[key] = payment
        // The payment may belong to another inventory through its transaction.
        var actions = complete(key)
        let others = index.ordersByTransaction[Key(a: doc.payCode, b: doc.payTransactionID)] ?? []
        for other in others.sorted() where other != key && waiting[other] != nil {
            actions += complete(other)
        }
        return actions
    }

    public mutating func add(waybill: Filed<BizWaybill>) -> [Action] {
        let doc = waybill.document
        waybillsByNumber[Key(a: doc.logisticsCode, b: doc.logisticsNo)] = waybill
        waybillsByOrder[doc.orderNo] = waybill
        var actions: [Action] = []
        let byNumber = index.waitingByWaybill[Key(a: doc.logisticsCode, b: doc.logisticsNo)] ?? []
        for key in byNumber.union(index.waitingByOrderNo[doc.orderNo] ?? []).sorted() {
            actions += complete(key)
        }
        return actions
    }

    public mutating func add(inventory: Filed<BizInventory>) -> [Action] {
        let key = Key(a: inventory.document.ebpCode, b: inventory.document.orderNo)
        setWaiting(inventory, at: key)
        return complete(key)
    }

    /// Drops a mismatched declaration's documents, kept for a corrected filing, once none
    /// is expected any more (only where the indexes still point at these very documents).
    ///
    /// - Parameter declaration: The declaration of a ``Action/mismatched(_:_:)``.
    public mutating func forgetMismatched(_ declaration: Declaration) {
        forget(declaration)
    }

    /// Drops a matched declaration's documents from the indexes (only where they still
    /// point at these very documents).
    private mutating func forget(_ declaration: Declaration) {
        let order = declaration.order.document
        let payment = declaration.payment.document
        let waybill = declaration.waybill.document
        let orderKey = Key(a: order.ebpCode, b: order.orderNo)
        if orders[orderKey] == declaration.order { setOrder(nil, at: orderKey) }
        let transaction = Key(a: payment.payCode, b: payment.payTransactionID)
        if paymentsByTransaction[transaction] == declaration.payment { paymentsByTransaction[transaction] = nil }
        let paymentOrder = Key(a: payment.ebpCode, b: payment.orderNo)
        if paymentsByOrder[paymentOrder] == declaration.payment { paymentsByOrder[paymentOrder] = nil }
        let number = Key(a: waybill.logisticsCode, b: waybill.logisticsNo)
        if waybillsByNumber[number] == declaration.waybill { waybillsByNumber[number] = nil }
        if waybillsByOrder[waybill.orderNo] == declaration.waybill { waybillsByOrder[waybill.orderNo] = nil }
        if kept != nil {
            for document in [
                Self.keptKey(declaration.order.sender, declaration.order.id),
                Self.keptKey(declaration.payment.sender, declaration.payment.id),
                Self.keptKey(declaration.waybill.sender, declaration.waybill.id),
            ] {
                kept?[document] = nil
            }
            if kept?.isEmpty == true { kept = nil }
        }
    }

    /// The documents the inventory under `key` has now, nil when no inventory waits there.
    func lookup(_ key: Key) -> Waiting? {
        guard let inventory = waiting[key] else { return nil }
        let order = orders[key]
        let payment = order.flatMap { Self.transaction(of: $0.document) }.flatMap { paymentsByTransaction[$0] } ?? paymentsByOrder[key]
        let waybill =
            waybillsByNumber[Key(a: inventory.document.logisticsCode, b: inventory.document.logisticsNo)]
            ?? waybillsByOrder[order?.document.orderNo ?? inventory.document.orderNo]
        return Waiting(inventory: inventory, order: order, payment: payment, waybill: waybill)
    }

    /// A document's entry in ``kept``.
    static func keptKey(_ sender: String, _ id: String) -> String { sender + "\u{1F}" + id }

    static func transaction(of order: BizOrder) -> Key? {
        order.payTransactionID.isEmpty ? nil : Key(a: order.payCode, b: order.payTransactionID)
    }

    /// Runs the rules if the inventory under `key` has all its documents; else says what
    /// it has.
    mutating func complete(_ key: Key) -> [Action] {
        guard let found = lookup(key) else { return [] }
        guard let order = found.order, let payment = found.payment, let waybill = found.waybill else { return [.waiting(found)] }
        let inventory = found.inventory
        setWaiting(nil, at: key)
        let declaration = Declaration(order: order, payment: payment, waybill: waybill, inventory: inventory)
        let failures = DeclarationMatcher.check(
            order: order.document, payment: payment.document, waybill: waybill.document, inventory: inventory.document)
        guard failures.isEmpty else {
            // Kept: the filer corrects one document and files it again.
            for document in [
                Self.keptKey(order.sender, order.id), Self.keptKey(payment.sender, payment.id),
                Self.keptKey(waybill.sender, waybill.id),
            ] {
                kept = (kept ?? [:]).merging([document: true]) { $1 }
            }
            return [.mismatched(declaration, failures)]
        }
        // Matched: the documents now live in the declaration's flow, not here.
        forget(declaration)
        return [.matched(declaration)]
    }
}

extension DeclarationLinker {
    /// The linker's secondary indexes: which orders name a payment transaction, which
    /// waiting inventories name a waybill number or an order number. A payment or a waybill
    /// looked through every waiting inventory, sorted, before: a cost that grew with the
    /// inventories waiting.
    struct Index: Sendable {
        var ordersByTransaction: [Key: Set<Key>] = [:]
        var waitingByWaybill: [Key: Set<Key>] = [:]
        var waitingByOrderNo: [String: Set<Key>] = [:]
    }

    /// Sets (nil: removes) the order under `key`, and the index with it.
    mutating func setOrder(_ order: Filed<BizOrder>?, at key: Key) {
        if let old = orders[key].flatMap({ Self.transaction(of: $0.document) }) {
            Self.remove(key, from: &index.ordersByTransaction, at: old)
        }
        orders[key] = order
        if let new = order.flatMap({ Self.transaction(of: $0.document) }) { index.ordersByTransaction[new, default: []].insert(key) }
    }

    /// Sets (nil: removes) the inventory waiting under `key`, and the index with it.
    mutating func setWaiting(_ inventory: Filed<BizInventory>?, at key: Key) {
        if let old = waiting[key]?.document {
            Self.remove(key, from: &index.waitingByWaybill, at: Key(a: old.logisticsCode, b: old.logisticsNo))
            Self.remove(key, from: &index.waitingByOrderNo, at: old.orderNo)
        }
        waiting[key] = inventory
        if let new = inventory?.document {
            index.waitingByWaybill[Key(a: new.logisticsCode, b: new.logisticsNo), default: []].insert(key)
            index.waitingByOrderNo[new.orderNo, default: []].insert(key)
        }
    }

    private static func remove<K: Hashable>(_ key: Key, from map: inout [K: Set<Key>], at entry: K) {
        map[entry]?.remove(key)
        if map[entry]?.isEmpty == true { map[entry] = nil }
    }
}

/// The documents waiting to be linked, for a snapshot (``FlowSnapshot``); the index is
/// rebuilt from them.
extension DeclarationLinker: Codable {
    private enum CodingKeys: String, CodingKey {
        case orders, paymentsByTransaction, paymentsByOrder, waybillsByNumber, waybillsByOrder, waiting, kept
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        paymentsByTransaction = try container.decode([Key: Filed<BizPayment>].self, forKey: .paymentsByTransaction)
        paymentsByOrder = try container.decode([Key: Filed<BizPayment>].self, forKey: .paymentsByOrder)
        waybillsByNumber = try container.decode([Key: Filed<BizWaybill>].self, forKey: .waybillsByNumber)
        waybillsByOrder = try container.decode([String: Filed<BizWaybill>].self, forKey: .waybillsByOrder)
        kept = try container.decodeIfPresent([String: Bool].self, forKey: .kept)
        for (key, order) in try container.decode([Key: Filed<BizOrder>].self, forKey: .orders) { setOrder(order, at: key) }
        for (key, inventory) in try container.decode([Key: Filed<BizInventory>].self, forKey: .waiting) { setWaiting(inventory, at: key) }
    }
}
extension DeclarationLinker.Declaration: Codable {}
