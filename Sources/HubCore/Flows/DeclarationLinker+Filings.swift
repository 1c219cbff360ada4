import HubProtocol

/// What the linker holds under a document's business keys, and the changes the standard's
/// `appType` asks for (FlowEngine+AppType.swift): a document replaced (2) or withdrawn (3),
/// an inventory that waited too long dropped.
///
/// The business keys of the four documents: an order's (`ebp_code`, `order_no`), a
/// payment's (`pay_code`, `pay_transaction_id`), a waybill's (`logistics_code`,
/// `logistics_no`), an inventory's (`ebp_code`, `order_no`).
extension DeclarationLinker {
    /// A document the linker holds.
    public struct Held: Sendable, Equatable {
        /// The document's message id and filer.
        public var id: String
        public var sender: String
        /// True when it belongs to a mismatched declaration (kept for a corrected filing),
        /// false when it waits to be linked.
        public var kept: Bool
    }

    /// The document of `document`'s kind the linker holds under the business keys of
    /// `body` (a serialized document of that kind), nil when none or when `body` is not one.
    ///
    /// - Parameters:
    ///   - document: The document's kind.
    ///   - body: The filed document's bytes.
    public func held(_ document: DeclarationDocument, body: [UInt8]) -> Held? {
        Self.businessKey(document, body: body).flatMap { held(document, key: $0) }
    }

    /// The document of `document`'s kind the linker holds under the business keys `key`.
    func held(_ document: DeclarationDocument, key: Key) -> Held? {
        let found: (id: String, sender: String)? =
            switch document {
            case .order: orders[key].map { ($0.id, $0.sender) }
            case .payment: paymentsByTransaction[key].map { ($0.id, $0.sender) }
            case .waybill: waybillsByNumber[key].map { ($0.id, $0.sender) }
            case .inventory: waiting[key].map { ($0.id, $0.sender) }
            }
        return found.map { Held(id: $0.id, sender: $0.sender, kept: kept?[Self.keptKey($0.sender, $0.id)] == true) }
    }

    /// The business keys of a document (see the extension's description).
    static func businessKey(_ document: DeclarationDocument, body: [UInt8]) -> Key? {
        (try? FiledDocument(document, body: body))?.linkerKey
    }

    /// Withdraws the held document `held` of `document`'s kind under the business keys of
    /// `body`: it links to nothing any more. Returns the waiting inventories that had it,
    /// looked at again (an inventory withdrawn itself is not among them).
    ///
    /// - Parameters:
    ///   - document: The document's kind.
    ///   - body: A document with the business keys (the withdrawal's own body).
    ///   - held: The document to withdraw (``held(_:body:)``).
    public mutating func withdraw(_ document: DeclarationDocument, body: [UInt8], held: Held) -> [Action] {
        guard let key = Self.businessKey(document, body: body) else { return [] }
        return withdraw(document, key: key, held: held)
    }

    /// ``withdraw(_:body:held:)`` with the business keys at hand.
    mutating func withdraw(_ document: DeclarationDocument, key: Key, held: Held) -> [Action] {
        let affected = waiting.keys.sorted().filter { lookup($0)?.has(id: held.id, sender: held.sender) == true }
        switch document {
        case .order:
            if orders[key]?.id == held.id { setOrder(nil, at: key) }
        case .payment:
            if let payment = paymentsByTransaction[key], payment.id == held.id {
                paymentsByTransaction[key] = nil
                let byOrder = Key(a: payment.document.ebpCode, b: payment.document.orderNo)
                if paymentsByOrder[byOrder] == payment { paymentsByOrder[byOrder] = nil }
            }
        case .waybill:
            if let waybill = waybillsByNumber[key], waybill.id == held.id {
                waybillsByNumber[key] = nil
                if waybillsByOrder[waybill.document.orderNo] == waybill { waybillsByOrder[waybill.document.orderNo] = nil }
            }
        case .inventory:
            if waiting[key]?.id == held.id { setWaiting(nil, at: key) }
        }
        kept?[Self.keptKey(held.sender, held.id)] = nil
        if kept?.isEmpty == true { kept = nil }
        return affected.flatMap { complete($0) }
    }

    /// The documents the waiting inventory `inventory` has now, nil when it does not wait
    /// (any more).
    ///
    /// - Parameter inventory: The inventory's id and filer.
    public func waiting(_ inventory: FlowKey, ebpCode: String, orderNo: String) -> Waiting? {
        guard let found = lookup(Key(a: ebpCode, b: orderNo)),
            found.inventory.id == inventory.id && found.inventory.sender == inventory.sender
        else { return nil }
        return found
    }

    /// Stops the waiting of the inventory `inventory` (its link timeout passed): its
    /// documents that did arrive stay for other inventories. Returns what it had.
    ///
    /// - Parameter inventory: The inventory's id and filer.
    public mutating func dropWaiting(_ inventory: FlowKey, ebpCode: String, orderNo: String) -> Waiting? {
        guard let found = waiting(inventory, ebpCode: ebpCode, orderNo: orderNo) else { return nil }
        setWaiting(nil, at: Key(a: ebpCode, b: orderNo))
        return found
    }
}

extension DeclarationLinker.Waiting {
    /// Whether one of its documents is the message `id` of `sender`.
    func has(id: String, sender: String) -> Bool {
        [
            (order?.id, order?.sender), (payment?.id, payment?.sender), (waybill?.id, waybill?.sender),
            (inventory.id, inventory.sender),
        ].contains { $0.0 == id && $0.1 == sender }
    }
}

extension DeclarationLinker {
    /// What ``dropUnclaimed(_:id:sender:)`` did.
    enum Unclaimed: Sendable, Equatable {
        /// Dropped: it links to nothing any more.
        case dropped
        /// A waiting inventory has it: kept.
        case claimed
        /// Not held (linked, replaced or withdrawn meanwhile), or kept from a mismatched
        /// declaration (those age with the declaration's traces).
        case gone
    }

    /// Drops the order, payment or waybill `id` of `sender` (of `document`'s kind) unless a
    /// waiting inventory has it: its wait for an inventory ended.
    mutating func dropUnclaimed(_ document: DeclarationDocument, id: String, sender: String) -> Unclaimed {
        if kept?[Self.keptKey(sender, id)] == true { return .gone }
        if waiting.keys.contains(where: { lookup($0)?.has(id: id, sender: sender) == true }) { return .claimed }
        func isIt<D: Sendable & Equatable>(_ filed: Filed<D>) -> Bool { filed.id == id && filed.sender == sender }
        var dropped = false
        switch document {
        case .order:
            for (key, filed) in orders where isIt(filed) {
                setOrder(nil, at: key)
                dropped = true
            }
        case .payment:
            for (key, filed) in paymentsByTransaction where isIt(filed) {
                paymentsByTransaction[key] = nil
                dropped = true
            }
            for (key, filed) in paymentsByOrder where isIt(filed) {
                paymentsByOrder[key] = nil
                dropped = true
            }
        case .waybill:
            for (key, filed) in waybillsByNumber where isIt(filed) {
                waybillsByNumber[key] = nil
                dropped = true
            }
            for (key, filed) in waybillsByOrder where isIt(filed) {
                waybillsByOrder[key] = nil
                dropped = true
            }
        case .inventory:
            return .gone
        }
        return dropped ? .dropped : .gone
    }
}
