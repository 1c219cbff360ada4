import HubProtocol

/// Arrivals (运抵, CEB507), departures (离境, CEB509) and waybill statuses (CEB513): a
/// declaration's history, and departure gating the summary declaration (PROTOCOL.md
/// section 13, "Departure and the declaration's history").
///
/// - Each names parcels by the waybill's (`logistics_code`, `logistics_no`): an arrival and
///   a departure its header's `logistics_code` and each listed `logistics_no`, a waybill
///   status its own pair. An event for a known parcel goes into its history
///   (``ParcelLedger``); a declaration linked and not final gets a new feedback carrying it
///   (`Feedback.history`); a released one keeps it in its after-release record.
/// - With `flows.summary.require_departure` (default true) a released export becomes a
///   summary candidate only once a departure lists its parcel: filed before the release, it
///   applies at the release; customs' refusal of the departure (CEB510 `return_status` 100),
///   its deletion (`app_type` 3) or a change no longer listing the parcel takes the
///   departure back (a candidate not yet summarized waits again).
/// - Only parties with the role `logistics_company` or `post` file departures that count;
///   the filer gets one final feedback about each departure (`subject_type`
///   `ceb.Departure`), naming the parcels the hub knows no declaration of (`UNKNOWN_PARCEL`),
///   which count for nothing.
extension FlowEngine {
    /// The parcel of a linked declaration: its waybill's keys.
    static func parcel(of declaration: DeclarationLinker.Declaration) -> String {
        let waybill = declaration.waybill.document
        return ParcelLedger.parcel(waybill.logisticsCode, waybill.logisticsNo)
    }

    /// The history of a declaration in progress, for its feedback.
    func history(of subject: FlowKey) -> [BizDeclarationEvent] {
        guard !parcels.history.isEmpty, let flow = declarations[subject] else { return [] }
        return parcels.events(Self.parcel(of: flow.declaration)).map(\.message)
    }

    /// The after-release record of the parcel (`logistics_code`, `logistics_no`), while kept.
    public func releasedParcel(logisticsCode: String, logisticsNo: String) -> ParcelLedger.Released? {
        parcels.released[ParcelLedger.parcel(logisticsCode, logisticsNo)]
    }

    /// The history of the parcel (`logistics_code`, `logistics_no`), oldest first, while kept.
    public func parcelHistory(logisticsCode: String, logisticsNo: String) -> [BizDeclarationEvent] {
        parcels.events(ParcelLedger.parcel(logisticsCode, logisticsNo)).map(\.message)
    }

    /// Released exports whose parcel has not departed, by invt_no (with
    /// `flows.summary.require_departure`).
    public var exportsAwaitingDeparture: [ParcelLedger.Released] {
        parcels.released.values.filter(\.waitsForDeparture).sorted { $0.invtNo < $1.invtNo }
    }

    // MARK: release

    /// A declaration was released: its after-release record.
    mutating func parcelReleased(_ flow: DeclarationFlow, key: FlowKey, invtNo: String) {
        let record = ParcelLedger.Released(
            invtNo: invtNo, inventory: key, filers: flow.filers, ieFlag: flow.declaration.inventory.document.ieFlag,
            releasedAtUs: nowUs)
        parcels.release(record, parcel: Self.parcel(of: flow.declaration))
    }

    /// A released export's summary candidate: one now when its parcel departed (or
    /// departures are not required), else held until a departure lists it.
    mutating func addCandidate(_ item: SummaryAggregator.Released, payer: String, filer: String, flow: DeclarationFlow) {
        let parcel = Self.parcel(of: flow.declaration)
        let candidate = ParcelLedger.Candidate(item: item, payer: payer, filer: filer)
        if !settings.requireDeparture || parcels.departed[parcel] != nil || parcels.released[parcel] == nil {
            makeCandidate(candidate, parcel: parcel)
        } else {
            parcels.released[parcel]?.waiting = candidate
        }
    }

    /// `candidate` joins the summary candidates; its period's day is today's (its release,
    /// or its departure when that came later).
    private mutating func makeCandidate(_ candidate: ParcelLedger.Candidate, parcel: String) {
        var candidate = candidate
        candidate.item.releaseDate = Self.day(nowUs)
        released.append(candidate.item)
        releasedPayers[candidate.item.invtNo] = candidate.payer
        releasedFilers[candidate.item.invtNo] = candidate.filer
        parcels.released[parcel]?.waiting = nil
    }

    /// With `flows.summary.require_departure` off (a reload, or an engine restored under a
    /// config that turned it off), the released exports still waiting become candidates
    /// now, in invt_no order.
    mutating func promoteWaitingCandidates() {
        guard !settings.requireDeparture else { return }
        let waiting = parcels.released.filter { $0.value.waiting != nil }.sorted { $0.value.invtNo < $1.value.invtNo }
        for (parcel, record) in waiting {
            if let candidate = record.waiting { makeCandidate(candidate, parcel: parcel) }
        }
    }

    // MARK: documents

    /// Whether `party` files departures that count: a logistics company or the post.
    func filesDepartures(_ party: String) -> Bool {
        let roles = config.party(party)?.roles ?? []
        return roles.contains(.logisticsCompany) || roles.contains(.post)
    }

    /// Whether the hub knows a declaration of the parcel: linked (in progress, or finished
    /// within `flows.keep_finished_hours`), released (within `after_release_days`), or its
    /// waybill waiting to be linked.
    func knowsParcel(_ logisticsCode: String, _ logisticsNo: String) -> Bool {
        parcels.released[ParcelLedger.parcel(logisticsCode, logisticsNo)] != nil
            || receipts.subject(for: .waybill(logisticsCode: logisticsCode, logisticsNo: logisticsNo)) != nil
            || linker.waybillsByNumber[DeclarationLinker.Key(a: logisticsCode, b: logisticsNo)] != nil
    }

    mutating func departure(_ departure: BizDeparture, _ input: FlowInput) -> [FlowEmission] {
        let subject = FlowKey(sender: input.sender, id: input.id)
        let document = MessageType.departure.rawValue
        let code = departure.logisticsCode
        guard filesDepartures(input.sender) else {
            return filingFeedback(
                subject, document: document, key: departure.copNo, state: .refused,
                reasons: ["NOT_ENTITLED [departure]: only a logistics company or the post files departures that count"])
        }
        let key = ParcelLedger.filing(document, code, departure.copNo)
        var out: [FlowEmission] = []
        let withdrawn = ParcelLedger.Event(
            kind: "departure_withdrawn", document: document, id: input.id, filer: input.sender, time: departure.leaveTime,
            status: "", info: departure.note, atUs: nowUs)
        if departure.appType == .delete {
            guard let filing = parcels.filings[key], filing.filer == input.sender else {
                return filingFeedback(
                    subject, document: document, key: departure.copNo, state: .refused,
                    reasons: [
                        "NO_SUCH_DOCUMENT [departure.logistics_code, departure.cop_no]: no departure \(departure.copNo) of \(code) by \(input.sender) is held"
                    ])
            }
            _ = parcels.remove(filing: key)
            for number in filing.logisticsNos { out += undepart(code, number, filing: key, event: withdrawn) }
            return out
                + filingFeedback(
                    subject, document: document, key: departure.copNo, state: .withdrawn,
                    reasons: ["WITHDRAWN: departure \(departure.copNo) deleted; \(filing.logisticsNos.count) parcel(s) no longer departed"])
        }
        var known: [String] = []
        var unknown: [String] = []
        for item in departure.departureList where !known.contains(item.logisticsNo) && !unknown.contains(item.logisticsNo) {
            if knowsParcel(code, item.logisticsNo) { known.append(item.logisticsNo) } else { unknown.append(item.logisticsNo) }
        }
        let replaced = parcels.file(
            .init(document: document, filer: input.sender, id: input.id, logisticsCode: code, logisticsNos: known, atUs: nowUs), key: key)
        for number in replaced where !known.contains(number) { out += undepart(code, number, filing: key, event: withdrawn) }
        for number in known {
            let parcel = ParcelLedger.parcel(code, number)
            parcels.departed[parcel] = key
            out += addEvent(
                .init(
                    kind: "departed", document: document, id: input.id, filer: input.sender, time: departure.leaveTime, status: "",
                    info: departure.note, atUs: nowUs), code, number)
            if let waiting = parcels.released[parcel]?.waiting { makeCandidate(waiting, parcel: parcel) }
        }
        var reasons: [String] = []
        if !unknown.isEmpty {
            reasons.append(
                "UNKNOWN_PARCEL [departure.departure_list.logistics_no]: the hub knows no declaration of \(unknown.joined(separator: ", ")) (logistics_code \(code)); counted for nothing"
            )
        }
        return out
            + filingFeedback(
                subject, document: document, key: departure.copNo, state: known.isEmpty ? .refused : .accepted, reasons: reasons)
    }

    mutating func arrival(_ arrival: BizArrival, _ input: FlowInput) -> [FlowEmission] {
        let document = MessageType.arrival.rawValue
        let code = arrival.logisticsCode
        let known = arrival.arrivalList.map(\.logisticsNo).filter { knowsParcel(code, $0) }
        _ = parcels.file(
            .init(document: document, filer: input.sender, id: input.id, logisticsCode: code, logisticsNos: known, atUs: nowUs),
            key: ParcelLedger.filing(document, code, arrival.copNo))
        var out: [FlowEmission] = []
        for number in known {
            out += addEvent(
                .init(
                    kind: "arrived", document: document, id: input.id, filer: input.sender, time: arrival.appTime, status: "",
                    info: arrival.note, atUs: nowUs), code, number)
        }
        return out
    }

    mutating func waybillStatus(_ status: BizWaybillStatus, _ input: FlowInput) -> [FlowEmission] {
        guard knowsParcel(status.logisticsCode, status.logisticsNo) else { return [] }
        return addEvent(
            .init(
                kind: "waybill_status", document: MessageType.waybillStatus.rawValue, id: input.id, filer: input.sender,
                time: status.logisticsTime, status: status.logisticsStatus, info: status.note, atUs: nowUs),
            status.logisticsCode, status.logisticsNo)
    }

    /// Customs' receipt for an arrival (CEB508), a departure (CEB510) or a waybill status
    /// (CEB514): into the history of the parcels it concerns; a departure's 100 takes the
    /// departure back. Nil for other receipts.
    mutating func parcelReceipt(_ receipt: BizReceipt, _ input: FlowInput) -> [FlowEmission]? {
        let kind = receipt.messageType.prefix(6)
        guard kind == "CEB508" || kind == "CEB510" || kind == "CEB514" else { return nil }
        let status = String(receipt.returnStatus)
        var event = ParcelLedger.Event(
            kind: "receipt", document: MessageType.receipt.rawValue, id: input.id, filer: input.sender, time: receipt.returnTime,
            status: status, info: receipt.returnInfo, atUs: nowUs)
        if kind == "CEB514" {
            guard knowsParcel(receipt.logisticsCode, receipt.logisticsNo) else { return [] }
            return addEvent(event, receipt.logisticsCode, receipt.logisticsNo)
        }
        let document = (kind == "CEB508" ? MessageType.arrival : MessageType.departure).rawValue
        var key = ParcelLedger.filing(document, receipt.logisticsCode, receipt.copNo)
        if parcels.filings[key] == nil, let named = parcels.filingIds[input.correlationId], parcels.filings[named]?.document == document {
            key = named
        }
        guard let filing = parcels.filings[key] else { return [] }
        var out: [FlowEmission] = []
        if kind == "CEB510" && receipt.status == .rejected {
            event.kind = "departure_refused"
            _ = parcels.remove(filing: key)
            for number in filing.logisticsNos { out += undepart(filing.logisticsCode, number, filing: key, event: event) }
            return out
        }
        for number in filing.logisticsNos { out += addEvent(event, filing.logisticsCode, number) }
        return out
    }

    // MARK: helpers

    /// The departure `filing` no longer counts for the parcel: a candidate not yet
    /// summarized waits again; the event goes into its history.
    private mutating func undepart(_ code: String, _ number: String, filing: String, event: ParcelLedger.Event) -> [FlowEmission] {
        let parcel = ParcelLedger.parcel(code, number)
        if parcels.departed[parcel] == filing {
            parcels.departed[parcel] = nil
            // A candidate (from its departure) not yet summarized waits again.
            if settings.requireDeparture, let invtNo = parcels.released[parcel]?.invtNo, !summarized.contains(invtNo),
                let item = released.first(where: { $0.invtNo == invtNo })
            {
                released.removeAll { $0.invtNo == invtNo }
                parcels.released[parcel]?.waiting = ParcelLedger.Candidate(
                    item: item, payer: releasedPayers[invtNo] ?? "", filer: releasedFilers[invtNo] ?? "")
                releasedPayers[invtNo] = nil
                releasedFilers[invtNo] = nil
            }
        }
        return addEvent(event, code, number)
    }

    /// Records `event` in the parcel's history; a declaration of it linked and not final
    /// tells its filers.
    private mutating func addEvent(_ event: ParcelLedger.Event, _ code: String, _ number: String) -> [FlowEmission] {
        parcels.record(event, parcel: ParcelLedger.parcel(code, number))
        guard let key = receipts.subject(for: .waybill(logisticsCode: code, logisticsNo: number)), let flow = declarations[key],
            !flow.isFinal
        else { return [] }
        return [feedback(flow.feedback, subject: key, to: flow.filers)]
    }

    /// The one, final feedback about an arrival's, departure's or waybill status' filing.
    private mutating func filingFeedback(
        _ subject: FlowKey, document: String, key: String, state: BizFeedbackState, reasons: [String]
    ) -> [FlowEmission] {
        var feedback = BizFeedback()
        feedback.subjectType = document
        feedback.subjectID = subject.id
        feedback.subjectKey = key
        feedback.state = state
        feedback.reasons = reasons
        feedback.updatedAtUs = nowUs
        feedback.final = true
        let emission = self.feedback(feedback, subject: subject, to: [subject.sender])
        tally.forget(subject)
        return [emission]
    }
}
