import Foundation

/// The rules about consumers across platforms: the quota, split orders, identity spread.
extension RiskRules {
    /// `consumer_quota`: a retail import over the per-purchase limit, or taking the buyer's
    /// purchases of the calendar year (UTC) over the yearly one, across every platform. A
    /// purchase counts from its assessment on, and stops counting when its declaration is
    /// refused (by a reviewer or customs) or withdrawn (``settle(_:counted:)``).
    mutating func consumerQuota(_ facts: RiskFacts, _ quota: RiskSettings.ConsumerQuota) -> [RiskHit] {
        guard facts.isRetailImport(modes: quota.tradeModes), !facts.buyerId.isEmpty, let purchase = facts.purchaseCny else {
            return []
        }
        let purchaseFen = Self.fen(purchase)
        let earlier = yearIds[facts.buyerId] ?? []
        let total = (yearFen[facts.buyerId] ?? 0) + purchaseFen
        yearFen[facts.buyerId] = total
        yearIds[facts.buyerId] = Array((earlier + [facts.subject.id]).suffix(50))
        charges[facts.subject] = Charge(buyer: facts.buyerId, year: quotaYear, fen: purchaseFen)
        let perPurchase = Self.fen(quota.perPurchaseCny)
        let perYear = Self.fen(quota.perYearCny)
        guard purchaseFen > perPurchase || total > perYear else { return [] }
        var evidence = [RiskHit.Evidence("purchase_cny", Self.cny(fen: purchaseFen))]
        if purchaseFen > perPurchase { evidence.append(.init("per_purchase_limit_cny", Self.cny(fen: perPurchase))) }
        if total > perYear {
            evidence += [
                .init("year", String(quotaYear)), .init("year_total_cny", Self.cny(fen: total)),
                .init("per_year_limit_cny", Self.cny(fen: perYear)), .init("year_declarations", String(earlier.count + 1)),
            ]
        }
        return [
            RiskHit(
                .consumerQuota, evidence: evidence, personal: [.init("buyer_id_number", facts.buyerId)],
                relatedIds: total > perYear ? earlier : [])
        ]
    }

    /// `split_orders`: the buyer declared the same goods (HS code) `minOrders` times or more
    /// within the window; one hit per declaration, naming the goods.
    mutating func splitOrders(_ facts: RiskFacts, _ split: RiskSettings.SplitOrders) -> [RiskHit] {
        guard !facts.buyerId.isEmpty else { return [] }
        var repeated: [(goods: String, ids: [String])] = []
        let from = facts.atUs - split.windowUs
        for goods in Set(facts.lines.map(\.goods)).sorted() {
            let key = facts.buyerId + "|" + goods
            var stamps = (purchases[key] ?? []).filter { $0.atUs > from }
            stamps.append(Stamp(atUs: facts.atUs, id: facts.subject.id))
            purchases[key] = stamps
            if stamps.count >= split.minOrders { repeated.append((goods, stamps.dropLast().map(\.id))) }
        }
        guard !repeated.isEmpty else { return [] }
        var evidence: [RiskHit.Evidence] = []
        for (goods, ids) in repeated {
            evidence += [.init("gcode", goods), .init("orders_in_window", String(ids.count + 1))]
        }
        evidence += [
            .init("min_orders", String(split.minOrders)), .init("window_hours", String(split.windowUs / 3_600_000_000)),
        ]
        var related: [String] = []
        for id in repeated.flatMap(\.ids) where !related.contains(id) { related.append(id) }
        return [RiskHit(.splitOrders, evidence: evidence, personal: [.init("buyer_id_number", facts.buyerId)], relatedIds: related)]
    }

    /// `identity_spread`: within the window, too many consignees, phones or addresses behind
    /// the buyer's id, or too many ids behind one of its phones or its address.
    ///
    /// A contact can stand behind thousands of ids (an agent's address), so its ids are
    /// updated in place and only looked through when there are more than the limit, counting
    /// those still in the window; the daily sweep forgets the rest.
    mutating func identitySpread(_ facts: RiskFacts, _ spread: RiskSettings.IdentitySpread) -> [RiskHit] {
        guard !facts.buyerId.isEmpty else { return [] }
        let from = facts.atUs - spread.windowUs
        let stamp = Stamp(atUs: facts.atUs, id: facts.subject.id)
        var values = (identityValues.removeValue(forKey: facts.buyerId) ?? [:]).filter { $0.value.atUs > from }
        var contacts: [String] = facts.phones.map { "phone:" + $0 }
        if !facts.address.isEmpty { contacts.append("address:" + facts.address) }
        if !facts.consignee.isEmpty { values["consignee:" + facts.consignee] = stamp }
        for contact in contacts { values[contact] = stamp }
        identityValues[facts.buyerId] = values
        var evidence: [RiskHit.Evidence] = []
        var personal: [RiskHit.Evidence] = [.init("buyer_id_number", facts.buyerId)]
        var related: Set<String> = []
        for (kind, limit) in [("consignee", spread.maxConsignees), ("phone", spread.maxPhones), ("address", spread.maxAddresses)] {
            let seen = values.filter { $0.key.hasPrefix(kind + ":") }.sorted { $0.key < $1.key }
            guard seen.count > limit else { continue }
            evidence += [.init("\(kind)s_per_identity", String(seen.count)), .init("max_\(kind)s", String(limit))]
            personal += seen.map { .init(kind, String($0.key.dropFirst(kind.count + 1))) }
            related.formUnion(seen.map(\.value.id))
        }
        for contact in contacts {
            var identities = contactIdentities.removeValue(forKey: contact) ?? [:]
            identities[facts.buyerId] = stamp
            if identities.count > spread.maxIdentities { identities = identities.filter { $0.value.atUs > from } }
            contactIdentities[contact] = identities
            guard identities.count > spread.maxIdentities else { continue }
            let kind = contact.hasPrefix("phone:") ? "phone" : "address"
            evidence += [.init("identities_per_\(kind)", String(identities.count)), .init("max_identities", String(spread.maxIdentities))]
            personal.append(.init(kind, String(contact.dropFirst(kind.count + 1))))
            personal += identities.keys.sorted().filter { $0 != facts.buyerId }.map { .init("other_buyer_id_number", $0) }
            related.formUnion(identities.values.map(\.id))
        }
        guard !evidence.isEmpty else { return [] }
        related.remove(facts.subject.id)
        return [RiskHit(.identitySpread, evidence: evidence, personal: personal, relatedIds: related.sorted())]
    }
}
