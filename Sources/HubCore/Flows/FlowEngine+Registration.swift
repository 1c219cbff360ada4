import HubProtocol

/// Registration once (一次备案): share with every department, collect their results,
/// unified feedback to the enterprise.
extension FlowEngine {
    /// The departments a registration goes to: customs, tax, forex and post by role, and the
    /// banks whose bank codes the registration's accounts name; never the filer itself.
    func registrationDepartments(_ registration: BizRegistration, filer: String) -> [String] {
        let codes = Set(registration.bankAccounts.map(\.bankCode).filter { !$0.isEmpty })
        var result: [String] = []
        let banks = config.parties.filter { party in party.roles.contains(.bank) && party.bankCodes.contains { codes.contains($0) } }
        for party in parties(.customs) + parties(.tax) + parties(.forex) + parties(.post) + banks.map(\.id)
        where party != filer && !result.contains(party) {
            result.append(party)
        }
        return result
    }

    mutating func registration(_ registration: BizRegistration, _ input: FlowInput) -> [FlowEmission] {
        let key = FlowKey(sender: input.sender, id: input.id)
        guard registrations[key] == nil, finishedRegistrations[key] == nil else { return [] }
        let (flow, actions) = RegistrationFlow.start(
            registration: registration, id: input.id, enterprise: input.sender,
            departments: registrationDepartments(registration, filer: input.sender), journaledAtUs: input.journaledAtUs,
            timeoutUs: settings.registrationDeadlineMs * 1000)
        registrations[key] = flow
        let shareId = HubMessageId.share(filer: input.sender, filingId: input.id).description
        registrationIndex[shareId] = key
        registrationIndex[input.id] = key
        if !registration.socialCreditCode.isEmpty {
            registrationIndex[registration.socialCreditCode] = key
            // A party's first registration is its own; later ones may be filed for others
            // (a platform registering its merchants).
            if partyCreditCode[input.sender] == nil { partyCreditCode[input.sender] = registration.socialCreditCode }
            if !registration.customsCode.isEmpty { customsCodes[registration.customsCode] = registration.socialCreditCode }
        }
        partyRegistration[input.sender] = key
        nextRegistrationDeadline = min(nextRegistrationDeadline, flow.deadlineUs)
        held.append(HeldRecord(type: .registration, body: input.body, recipients: flow.departments))
        return registrationActions(actions, key: key, body: input.body, shareId: shareId)
    }

    mutating func registrationResult(_ result: BizRegistrationResult, _ input: FlowInput) -> [FlowEmission] {
        guard let key = registrationIndex[input.correlationId] ?? registrationIndex[result.socialCreditCode] else { return [] }
        guard var flow = registrations[key] else {
            // A finished registration answers nothing more, but a late customs acceptance
            // still registers the party.
            if let finished = finishedRegistrations[key] {
                registeredByCustoms(result, from: input.sender, key: key, subjectKey: finished.subjectKey)
            }
            return []
        }
        let actions = flow.result(result, from: input.sender, atUs: input.journaledAtUs)
        registrations[key] = flow
        registeredByCustoms(result, from: input.sender, key: key, subjectKey: flow.subjectKey)
        let out = registrationActions(actions, key: key, body: [], shareId: "")
        retireRegistration(key)
        return out
    }

    /// Registered once customs accepted a registration the party filed.
    private mutating func registeredByCustoms(_ result: BizRegistrationResult, from sender: String, key: FlowKey, subjectKey: String) {
        guard customsParties.contains(sender) && result.decision == .accepted else { return }
        registered.insert(key.sender)
        if !result.code.isEmpty { customsCodes[result.code] = subjectKey }
    }

    mutating func expireRegistrations() -> [FlowEmission] {
        var out: [FlowEmission] = []
        var next = Int64.max
        for key in registrations.keys.sorted(by: { ($0.sender, $0.id) < ($1.sender, $1.id) }) {
            guard var flow = registrations[key], !flow.isFinal else { continue }
            let actions = flow.tick(nowUs: nowUs)
            registrations[key] = flow
            if !flow.isFinal { next = min(next, flow.deadlineUs) }
            out += registrationActions(actions, key: key, body: [], shareId: "")
            retireRegistration(key)
        }
        nextRegistrationDeadline = next
        return out
    }

    mutating func registrationActions(
        _ actions: [RegistrationFlow.Action], key: FlowKey, body: [UInt8], shareId: String
    ) -> [FlowEmission] {
        actions.map { action in
            switch action {
            case .share(let departments):
                FlowEmission(
                    id: shareId, type: MessageType.registration.rawValue, recipients: departments, correlationId: key.id, body: body)
            case .feedback(let feedback):
                self.feedback(feedback, subject: key, to: [key.sender])
            }
        }
    }

    /// Why a filing of `party` may not enter the journal yet, if it may not.
    func registrationRefusal(of party: String) -> HubFailure? {
        if registered.contains(party) { return nil }
        guard let key = partyRegistration[party], registrations[key] != nil || finishedRegistrations[key] != nil else {
            return HubFailure(.notRegistered, "party '\(party)' has no registration: submit a reg.Registration first")
        }
        let refusal: String?
        let isFinal: Bool
        if let flow = registrations[key] {
            refusal = customsParties.compactMap { flow.statuses[$0] }.first.flatMap { $0.decision == .refused ? $0.reason : nil }
            isFinal = flow.isFinal
        } else {
            refusal = finishedRegistrations[key]?.customsRefusal
            isFinal = true
        }
        if let reason = refusal {
            return HubFailure(
                .notRegistered, "customs refused the registration '\(key.id)' of '\(party)': \(reason.isEmpty ? "no reason given" : reason)"
            )
        }
        let state = isFinal ? "expired without a customs answer" : "still pending with customs"
        return HubFailure(.notRegistered, "the registration '\(key.id)' of '\(party)' is \(state)")
    }

    /// The registration flow of a filing, for status displays.
    public func registration(_ key: FlowKey) -> RegistrationFlow? { registrations[key] }
}
