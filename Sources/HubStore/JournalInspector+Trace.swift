import HubCore
import HubProtocol

extension JournalInspector {
    /// The path of everything the journal holds under message id `id` (any sender): the
    /// message itself; for a registration its shares, the departments' results and the
    /// feedback; for a declaration document or inventory the declaration's four documents
    /// (linked as the hub's flows link them), the forwards to customs, customs' receipts
    /// (by correlation, or, for receipts without one, by the inventory's keys as the flows
    /// match them), the feedback and the release notices, the cancellations and returns naming
    /// its inventory's `invt_no` with the hub's withdrawal and return notices; and for any message the messages
    /// correlated with it (answers, receipts, notices), transitively. Each with its events.
    ///
    /// - Parameter id: A message id.
    /// - Returns: The report.
    /// - Throws: ``StoreError`` `notFound` when no message has that id; `readFailed`.
    public func trace(_ id: String) throws -> TraceReport {
        try queries.snapshot { journal in
            let roots = try Self.records(id: id, in: journal)
            guard !roots.isEmpty else {
                throw StoreError(code: .notFound, reason: "no message with id '\(id)' in the journal")
            }
            var subject: TraceReport.Subject =
                roots.contains { $0.type == MessageType.registration.rawValue && $0.sender != HubConfig.hubParty }
                ? .registration : .message
            var roles: [UInt64: TraceReport.Role] = [:]
            var found: [UInt64: JournalRecord] = [:]
            for root in roots {
                found[root.seq] = root
                roles[root.seq] = .subject
            }
            if let documents = try Self.declaration(of: roots, in: journal) {
                subject = .declaration
                for document in documents where found[document.seq] == nil {
                    found[document.seq] = document
                    roles[document.seq] = .document
                }
                let receipts = try Self.receipts(of: documents, in: journal)
                for receipt in receipts where found[receipt.seq] == nil {
                    found[receipt.seq] = receipt
                }
                // Arrivals, departures and waybill statuses naming its parcel (JournalInspector+Parcels.swift).
                for record in try Self.parcelDocuments(of: documents, in: journal) where found[record.seq] == nil {
                    found[record.seq] = record
                }
                // Cancellations and returns naming its inventory, and the hub's notices about them.
                for number in Self.inventoryNumbers(documents: documents, receipts: receipts) {
                    let after = try Self.afterRelease(invtNo: number, after: documents.map(\.seq).min() ?? 0, in: journal)
                    for record in after.filings + after.notices where found[record.seq] == nil { found[record.seq] = record }
                }
            }
            try Self.addCorrelated(to: &found, in: journal)
            let messages = try found.values.map { record in
                TraceReport.Message(
                    seq: record.seq, sender: record.sender, id: record.id, type: record.type,
                    role: roles[record.seq] ?? Self.role(of: record), correlationId: record.correlationId,
                    createdAtUs: record.createdAtUs, journaledAtUs: record.journaledAtUs,
                    deliveries: try Self.deliveries(of: record, in: journal))
            }
            return TraceReport(id: id, subject: subject, messages: messages)
        }
    }

    // MARK: finding the messages

    /// The messages with id `id`, from every sender: one lookup of the (sender, msg_id)
    /// index per sender, the senders walked through the same index.
    private static func records(id: String, in journal: any JournalQueries) throws -> [JournalRecord] {
        var found: [JournalRecord] = []
        var sender = ""
        while let next = try journal.nextSender(after: sender) {
            sender = next
            if let record = try journal.record(sender: sender, id: id) { found.append(record) }
        }
        return found
    }

    /// The four documents of the declaration(s) one of `roots` belongs to, found by running
    /// the flows' own `DeclarationLinker` over the journal's declaration documents in seq
    /// order, up to the match that includes the root; nil when none is a linked document.
    private static func declaration(of roots: [JournalRecord], in journal: any JournalQueries) throws -> [JournalRecord]? {
        let types = MessageType.declarationDocuments.map(\.rawValue)
        let wanted = Set(
            roots.filter { types.contains($0.type) && $0.sender != HubConfig.hubParty }.map { FlowKey(sender: $0.sender, id: $0.id) })
        guard !wanted.isEmpty else { return nil }
        var linker = DeclarationLinker()
        var documents: Set<FlowKey> = []
        try forEachRecord(types: types, after: 0, in: journal) { record in
            guard record.sender != HubConfig.hubParty else { return true }
            for action in try link(record, into: &linker) {
                let declaration: DeclarationLinker.Declaration
                let matched: Bool
                switch action {
                case .matched(let linked): (declaration, matched) = (linked, true)
                case .mismatched(let linked, _): (declaration, matched) = (linked, false)
                case .waiting: continue
                }
                let keys = [
                    FlowKey(sender: declaration.order.sender, id: declaration.order.id),
                    FlowKey(sender: declaration.payment.sender, id: declaration.payment.id),
                    FlowKey(sender: declaration.waybill.sender, id: declaration.waybill.id),
                    FlowKey(sender: declaration.inventory.sender, id: declaration.inventory.id),
                ]
                guard keys.contains(where: wanted.contains) else { continue }
                documents.formUnion(keys)
                // A matched declaration is final: its documents link to nothing else.
                if matched { return false }
            }
            return true
        }
        guard !documents.isEmpty else { return nil }
        return try documents.sorted { ($0.sender, $0.id) < ($1.sender, $1.id) }.compactMap { key in
            try journal.record(sender: key.sender, id: key.id)
        }
    }

    /// Customs' receipts for the declaration of `documents`, as the flows join them: the
    /// flows' own ``ReceiptMatcher`` over customs' receipts journaled after the last
    /// document, with the declaration registered by its inventory and its forward (a
    /// receipt without a correlation id, as customs' own files bring them, joins by the
    /// inventory's keys). A receipt that answers the hub's forward of another inventory
    /// belongs to that declaration, as in the flows.
    private static func receipts(of documents: [JournalRecord], in journal: any JournalQueries) throws -> [JournalRecord] {
        guard let record = documents.first(where: { $0.type == MessageType.inventory.rawValue }),
            let inventory = try? BizInventory(serializedBytes: record.body)
        else { return [] }
        var matcher = ReceiptMatcher<String>()
        let forwardId = HubMessageId.forward(filer: record.sender, inventoryId: record.id, document: .inventory).description
        matcher.register(forwardId, inventory: inventory)
        if let declaration = linked(documents, inventory: .init(id: record.id, sender: record.sender, document: inventory)) {
            matcher.register(forwardId, declaration: declaration)
        }
        matcher.register(forwardId, forwardId: forwardId)
        var receipts: [JournalRecord] = []
        try forEachRecord(types: [MessageType.receipt.rawValue], after: documents.map(\.seq).max() ?? 0, in: journal) { candidate in
            guard let receipt = try? BizReceipt(serializedBytes: candidate.body) else { return true }
            let correlation = candidate.correlationId
            if case .forward(let filer, let inventoryId, _) = HubMessageId(correlation),
                case let inventoryForward = HubMessageId.forward(filer: filer, inventoryId: inventoryId, document: .inventory).description,
                inventoryForward != forwardId, try journal.seq(sender: HubConfig.hubParty, id: correlation) != nil
            {
                // The hub forwarded a document of another declaration under this id: the
                // flows hold that declaration, and the receipt joins it.
                matcher.register(inventoryForward, forwardId: inventoryForward)
            }
            if matcher.match(receipt, correlationId: correlation) == forwardId { receipts.append(candidate) }
            return true
        }
        return receipts
    }

    /// The declaration of `inventory` when `documents` hold its order, payment and waybill.
    private static func linked(_ documents: [JournalRecord], inventory: DeclarationLinker.Filed<BizInventory>)
        -> DeclarationLinker.Declaration?
    {
        func record(_ type: MessageType) -> JournalRecord? { documents.first { $0.type == type.rawValue } }
        guard let orderRecord = record(.order), let order = try? BizOrder(serializedBytes: orderRecord.body),
            let paymentRecord = record(.payment), let payment = try? BizPayment(serializedBytes: paymentRecord.body),
            let waybillRecord = record(.waybill), let waybill = try? BizWaybill(serializedBytes: waybillRecord.body)
        else { return nil }
        return DeclarationLinker.Declaration(
            order: .init(id: orderRecord.id, sender: orderRecord.sender, document: order),
            payment: .init(id: paymentRecord.id, sender: paymentRecord.sender, document: payment),
            waybill: .init(id: waybillRecord.id, sender: waybillRecord.sender, document: waybill), inventory: inventory)
    }

    /// Calls `body` with each message of `types` journaled after seq `after`, in seq order,
    /// reading 5,000 at a time, until the journal ends or `body` returns false.
    private static func forEachRecord(
        types: [String], after: UInt64, in journal: any JournalQueries, _ body: (JournalRecord) throws -> Bool
    ) throws {
        var after = after
        while true {
            let page = try journal.records(types: types, after: after, limit: 5000)
            guard let last = page.last else { return }
            after = last.seq
            for record in page where try !body(record) { return }
        }
    }

    /// Adds a declaration document to the linker as the flows do (FlowEngine+AppType.swift),
    /// `appType` included: a new document with the keys of one waiting to be linked was
    /// refused (it links nothing), a change replaces the one waiting (a change of nothing
    /// waiting was refused), a deletion withdraws it.
    private static func link(_ record: JournalRecord, into linker: inout DeclarationLinker) throws -> [DeclarationLinker.Action] {
        // A body that is not the document it claims to be links nothing, as in the flows.
        let appType: BizAppType
        let add: (inout DeclarationLinker) -> [DeclarationLinker.Action]
        switch MessageType(record.type) {
        case .order:
            guard let document = try? BizOrder(serializedBytes: record.body) else { return [] }
            appType = document.appType
            add = { $0.add(order: .init(id: record.id, sender: record.sender, document: document)) }
        case .payment:
            guard let document = try? BizPayment(serializedBytes: record.body) else { return [] }
            appType = document.appType
            add = { $0.add(payment: .init(id: record.id, sender: record.sender, document: document)) }
        case .waybill:
            guard let document = try? BizWaybill(serializedBytes: record.body) else { return [] }
            appType = document.appType
            add = { $0.add(waybill: .init(id: record.id, sender: record.sender, document: document)) }
        default:
            guard let document = try? BizInventory(serializedBytes: record.body) else { return [] }
            appType = document.appType
            add = { $0.add(inventory: .init(id: record.id, sender: record.sender, document: document)) }
        }
        guard let kind = DeclarationDocument(MessageType(record.type)) else { return [] }
        let held = linker.held(kind, body: record.body)
        switch appType {
        case .change:
            return held == nil ? [] : add(&linker)
        case .delete:
            return held.map { linker.withdraw(kind, body: record.body, held: $0) } ?? []
        default:
            if let held, !held.kept { return [] }
            return add(&linker)
        }
    }

    /// Adds, transitively, the messages correlated with those found: a message whose
    /// correlation id is a found message's id, between parties that exchanged it (the hub's
    /// own messages about a sender's message name that sender in their id or recipients).
    /// At most 10,000 messages.
    private static func addCorrelated(to found: inout [UInt64: JournalRecord], in journal: any JournalQueries) throws {
        var queue = Array(found.values).sorted { $0.seq < $1.seq }
        while !queue.isEmpty, found.count < 10_000 {
            let message = queue.removeFirst()
            try add(correlatedWith: message, from: journal.records(correlationId: message.id), to: &found, queue: &queue)
        }
    }

    private static func add(
        correlatedWith message: JournalRecord, from candidates: [JournalRecord], to found: inout [UInt64: JournalRecord],
        queue: inout [JournalRecord]
    ) throws {
        let hub = HubConfig.hubParty
        for candidate in candidates where found[candidate.seq] == nil {
            let related: Bool
            if candidate.sender == hub {
                related =
                    message.sender == hub || candidate.recipients.contains(message.sender)
                    || candidate.id.contains(":\(message.sender):") || candidate.id.hasSuffix(":\(message.sender)")
            } else {
                related = message.recipients.contains(candidate.sender) || candidate.recipients.contains(message.sender)
            }
            guard related else { continue }
            found[candidate.seq] = candidate
            queue.append(candidate)
        }
    }

    /// A related message's role, from its type and the hub's id conventions.
    private static func role(of record: JournalRecord) -> TraceReport.Role {
        if record.sender == HubConfig.hubParty {
            switch HubMessageId(record.id)?.kind {
            case .share, .taxBillShare: return .share
            case .forward: return .forward
            case .feedback: return .feedback
            case .releaseNotice: return .releaseNotice
            case .withdrawalNotice: return .withdrawalNotice
            case .returnNotice: return .returnNotice
            case .answer: return .answer
            case .riskNotice: return .riskNotice
            default: return .related
            }
        }
        switch MessageType(record.type) {
        case .registrationResult: return .result
        case .receipt: return .receipt
        case .answer: return .answer
        case .riskDisposition: return .riskDisposition
        default: return .related
        }
    }

    // MARK: deliveries

    /// Each recipient's side of `record`, from the first progress marks that cover it (none
    /// in a journal without the progress log: then not delivered, not acknowledged).
    private static func deliveries(of record: JournalRecord, in journal: any JournalQueries) throws -> [TraceReport.Delivery] {
        var seen: Set<String> = []
        return try record.recipients.filter { seen.insert($0).inserted }.map { party in
            let delivered = try journal.progressMark(party: party, kind: .delivered, atOrAfter: record.seq)
            let acked = try journal.progressMark(party: party, kind: .acked, atOrAfter: record.seq)
            return TraceReport.Delivery(
                party: party, delivered: delivered != nil || acked != nil, deliveredAtUs: delivered.flatMap(recorded),
                acknowledged: acked != nil, acknowledgedAtUs: acked.flatMap(recorded))
        }
    }

    /// A mark's time, nil for the marks of a journal written before the log was kept.
    private static func recorded(_ mark: ProgressMark) -> Int64? { mark.atUs > 0 ? mark.atUs : nil }
}
