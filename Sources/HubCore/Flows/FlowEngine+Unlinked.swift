import HubProtocol

/// Orders, payments and waybills that no inventory named: an inventory's wait has its
/// deadline (FlowEngine+Waiting.swift), and so has a document's. When
/// `flows.declaration.link_timeout` has passed since an order, payment or waybill arrived
/// and no inventory has named it, it links to nothing any more and its filer gets the
/// final feedback INCOMPLETE about it (`subject_type` its type, `subject_id` its id).
///
/// A document an inventory waiting for its other documents has named waits as long as that
/// inventory, and when that inventory's wait ends INCOMPLETE, another link timeout for
/// another inventory; one in a matched or mismatched declaration is no longer tracked; one replaced (app_type 2)
/// or withdrawn (3) meanwhile is forgotten without feedback (its filer had the feedback of
/// the change). Only unlinked documents are tracked, so the state stays as small as the
/// documents waiting; it is kept in the flows' snapshot, and the feedback's time is the
/// deadline's, as for inventories.
extension FlowEngine {
    /// An order, payment or waybill waiting for an inventory to name it.
    struct UnlinkedDocument: Sendable, Codable, Equatable {
        /// The document's kind (``DeclarationDocument`` raw value).
        var document: String
        /// When its wait ends, µs since the epoch (journal time).
        var deadlineUs: Int64
        /// The business key its feedback names (order number, payment transaction, waybill number).
        var subjectKey: String
    }

    /// An order, payment or waybill was added to the linker: tracked until an inventory
    /// links it. `subjectKey` is what its feedback would name.
    mutating func trackUnlinked(_ document: DeclarationDocument, _ input: FlowInput, subjectKey: String) {
        let deadline = nowUs + settings.linkTimeoutMs * 1000
        unlinkedDocuments[FlowKey(sender: input.sender, id: input.id)] = UnlinkedDocument(
            document: document.rawValue, deadlineUs: deadline, subjectKey: subjectKey)
        nextUnlinkedDeadline = min(nextUnlinkedDeadline, deadline)
    }

    /// The documents of a declaration that all four documents reached are linked.
    mutating func forgetUnlinked(_ declaration: DeclarationLinker.Declaration) {
        guard !unlinkedDocuments.isEmpty else { return }
        for key in [
            FlowKey(sender: declaration.order.sender, id: declaration.order.id),
            FlowKey(sender: declaration.payment.sender, id: declaration.payment.id),
            FlowKey(sender: declaration.waybill.sender, id: declaration.waybill.id),
        ] {
            unlinkedDocuments[key] = nil
        }
    }

    /// An inventory's wait ended INCOMPLETE: the documents it had stay for other
    /// inventories (``DeclarationLinker/dropWaiting(_:ebpCode:orderNo:)``), each for
    /// another link timeout after that wait's deadline `endUs`.
    mutating func rearmUnlinked(_ found: DeclarationLinker.Waiting, after endUs: Int64) {
        let deadline = endUs + settings.linkTimeoutMs * 1000
        for key in [
            found.order.map { FlowKey(sender: $0.sender, id: $0.id) }, found.payment.map { FlowKey(sender: $0.sender, id: $0.id) },
            found.waybill.map { FlowKey(sender: $0.sender, id: $0.id) },
        ].compactMap({ $0 }) {
            unlinkedDocuments[key]?.deadlineUs = deadline
            if unlinkedDocuments[key] != nil { nextUnlinkedDeadline = min(nextUnlinkedDeadline, deadline) }
        }
    }

    /// The documents whose deadline passed: dropped from the linker, final feedback
    /// INCOMPLETE to their filers; those a waiting inventory named wait on.
    mutating func expireUnlinked() -> [FlowEmission] {
        var out: [FlowEmission] = []
        let due = unlinkedDocuments.filter { $0.value.deadlineUs <= nowUs }
            .sorted { ($0.value.deadlineUs, $0.key.sender, $0.key.id) < ($1.value.deadlineUs, $1.key.sender, $1.key.id) }
        for (key, var entry) in due {
            guard let document = DeclarationDocument(rawValue: entry.document) else {
                unlinkedDocuments[key] = nil
                continue
            }
            switch linker.dropUnclaimed(document, id: key.id, sender: key.sender) {
            case .claimed:
                // A waiting inventory named it: it waits as long as that inventory does.
                entry.deadlineUs += settings.linkTimeoutMs * 1000
                unlinkedDocuments[key] = entry
            case .gone:
                unlinkedDocuments[key] = nil
            case .dropped:
                unlinkedDocuments[key] = nil
                out.append(unlinkedFeedback(key, document: document, entry: entry))
            }
        }
        nextUnlinkedDeadline = unlinkedDocuments.values.map(\.deadlineUs).min() ?? .max
        return out
    }

    /// The final feedback INCOMPLETE about an unlinked document, to its filer.
    private mutating func unlinkedFeedback(_ key: FlowKey, document: DeclarationDocument, entry: UnlinkedDocument) -> FlowEmission {
        var feedback = BizFeedback()
        feedback.subjectType = document.messageType.rawValue
        feedback.subjectID = key.id
        feedback.subjectKey = entry.subjectKey
        feedback.state = .incomplete
        feedback.final = true
        feedback.updatedAtUs = entry.deadlineUs
        feedback.reasons = [
            "INCOMPLETE: no inventory linked this \(document.messageType.rawValue) into a declaration before the link timeout "
                + "(\(CivilDay.isoTime(microseconds: entry.deadlineUs)), flows.declaration.link_timeout); it links to nothing any more"
        ]
        let emission = self.feedback(feedback, subject: key, to: [key.sender])
        if let kind = FlowTally.kind(of: document.messageType.rawValue) {
            forgetTally(kind, key, feedback: feedback)
        } else {
            tally.forget(key)
        }
        return emission
    }

    /// Orders, payments and waybills waiting for an inventory to name them, for monitoring.
    public var unlinkedDocumentCount: Int { unlinkedDocuments.count }
}
