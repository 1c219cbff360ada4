import HubProtocol

/// Finished flows leave the engine's memory, so that its state follows the flows in
/// progress, not every filing ever made (issue 20: a hub that runs for years).
///
/// - A registration whose final feedback was sent leaves ``FlowEngine/registrations`` and
///   its feedback count; it keeps a ``FinishedRegistration`` (its enterprise's credit
///   code and whether customs refused it), which later results (a late customs acceptance
///   still registers the party) and admission (why a filing is refused) read. Its index
///   entries stay too: both grow with the registrations filed (about one per
///   enterprise), not with the traffic.
/// - A declaration that is final (refused by the rules, or customs rejected, returned or
///   closed it) leaves ``FlowEngine/declarations`` and its feedback count at once; nothing
///   can change it any more. Its receipt keys stay for `flows.keep_finished_hours` of
///   journal time (``HubConfig/Flows/keepFinishedMs``): a late receipt still finds the
///   finished declaration and changes nothing, as before, instead of falling through to
///   another declaration with the same order or `cop_no`.
/// - A mismatched declaration's documents, which the linker keeps for a corrected filing,
///   go after the same horizon.
/// - A released inventory leaves the summary candidates once it is in a summary; the
///   summary's numbers stay summarized, its paying banks and customs' number for it stay
///   known, for the same horizon.
/// - Release notices and summary results the hub answers queries about are kept for the
///   same horizon (registrations and credit notices it holds for good).
///
/// Within the horizon the engine emits and admits exactly what it did when it kept
/// everything; past it, a receipt for a declaration finished that long ago may match a
/// newer declaration of the same order, and queries no longer find older release notices
/// and summary results (the journal keeps them: `swhub trace`, replay).
extension FlowEngine {
    /// What a registration whose final feedback was sent leaves behind.
    struct FinishedRegistration: Sendable, Codable, Equatable {
        /// The enterprise's unified social credit code.
        var subjectKey: String
        /// Customs' reason when customs refused the registration, nil otherwise.
        var customsRefusal: String?
    }

    /// What a finished flow leaves behind for ``HubConfig/Flows/keepFinishedMs``.
    enum Trace: Sendable, Codable, Equatable {
        /// A finished declaration's receipt keys.
        case declaration(FlowKey, ebpCode: String, orderNo: String, copNo: String)
        /// A finished declaration's receipt keys of its payment and waybill (and of its
        /// enterprise's order), beside ``declaration(_:ebpCode:orderNo:copNo:)``.
        case documentKeys(FlowKey, [ReceiptMatcher<FlowKey>.Key])
        /// A summary: its inventories' numbers and its paying banks.
        case summary(id: String, invtNos: [String])
        /// Customs' number for a summary (from its receipt).
        case sumNo(String)
        /// The documents of a mismatched declaration, kept by the linker for a corrected filing
        /// (boxed: inline, its four documents would make every trace that large).
        indirect case mismatched(DeclarationLinker.Declaration)
    }

    /// A registration flow emitted its final feedback: it leaves memory.
    mutating func retireRegistration(_ key: FlowKey) {
        guard let flow = registrations[key], flow.isFinal else { return }
        let customs = customsParties.compactMap { flow.statuses[$0] }.first
        let refusal = customs.flatMap { $0.decision == .refused ? $0.reason : nil }
        finishedRegistrations[key] = FinishedRegistration(subjectKey: flow.subjectKey, customsRefusal: refusal)
        registrations[key] = nil
        forgetTally(.registration, key, feedback: flow.feedback)
    }

    /// A declaration became final: it leaves memory, its receipt keys stay for a while.
    mutating func retireDeclaration(_ key: FlowKey) {
        guard let flow = declarations[key], flow.isFinal else { return }
        declarations[key] = nil
        forgetTally(.declaration, key, feedback: flow.feedback)
        let inventory = flow.declaration.inventory.document
        if !flow.failures.isEmpty { traces.append(.mismatched(flow.declaration), atUs: nowUs) }
        traces.append(.declaration(key, ebpCode: inventory.ebpCode, orderNo: inventory.orderNo, copNo: inventory.copNo), atUs: nowUs)
        let documentKeys = ReceiptMatcher<FlowKey>.keys(of: flow.declaration).filter {
            switch $0 {
            case .order, .copNo, .forward: false
            case .payment, .enterpriseOrder, .waybill: true
            }
        }
        if !documentKeys.isEmpty { traces.append(.documentKeys(key, documentKeys), atUs: nowUs) }
    }

    /// A finished flow emits no more feedback: its count goes; its last feedback stays
    /// while it is among the recently started flows monitoring shows.
    mutating func forgetTally(_ kind: FlowTally.Kind, _ key: FlowKey, feedback: BizFeedback) {
        tally.forget(key)
        if tally.recent[kind]?.contains(key) == true { finishedBriefs[key] = FlowBrief(kind: kind, filer: key.sender, feedback: feedback) }
        if !finishedBriefs.isEmpty {
            finishedBriefs = finishedBriefs.filter { entry in
                FlowTally.Kind.allCases.contains { tally.recent[$0]?.contains(entry.key) == true }
            }
        }
    }

    /// Drops what finished flows left behind longer than the horizon ago.
    mutating func dropOldTraces() {
        let cutoff = nowUs - settings.keepFinishedMs * 1000
        if let oldest = traces.oldestUs, oldest < cutoff {
            for trace in traces.dropOlder(than: cutoff) {
                switch trace {
                case .declaration(let key, let ebpCode, let orderNo, let copNo):
                    receipts.remove(
                        key,
                        keys: [
                            .order(ebpCode: ebpCode, orderNo: orderNo), .copNo(copNo),
                            .forward(HubMessageId.forward(filer: key.sender, inventoryId: key.id, document: .inventory).description),
                        ])
                case .documentKeys(let key, let keys):
                    receipts.remove(key, keys: keys)
                case .summary(let id, let numbers):
                    summaryPayers[id] = nil
                    summaryFilers[id] = nil
                    summarized.subtract(numbers)
                case .sumNo(let number):
                    summaryBySumNo[number] = nil
                case .mismatched(let declaration):
                    linker.forgetMismatched(declaration)
                }
            }
        }
        if let oldest = heldRecent.oldestUs, oldest < cutoff { _ = heldRecent.dropOlder(than: cutoff) }
    }

    /// The brief of a flow that left memory while still among the recent ones.
    func finishedBrief(_ kind: FlowTally.Kind, _ key: FlowKey) -> FlowBrief? {
        finishedBriefs[key].flatMap { $0.kind == kind ? $0 : nil }
    }

    /// How many flows of each kind are in memory (in progress), and how many finished
    /// ones left traces: what the engine holds.
    public var heldCounts: (registrations: Int, declarations: Int, traces: Int, heldRecords: Int) {
        (registrations.count, declarations.count, traces.count, held.count + heldRecent.count)
    }
}
