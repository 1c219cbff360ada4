import FlowSamples
import Foundation
import HubCore
import HubProtocol
import Testing

/// Each risk rule hitting and not hitting, on facts built from declarations the way the
/// flows build them (RiskFacts of a linked declaration).
@Suite("Risk rules")
struct RiskRulesTests {
    static let day: Int64 = 86_400_000_000
    static let start: Int64 = 1_795_000_000_000_000  // 2026-11-19

    static func settings(_ rules: RiskRuleName...) -> RiskSettings {
        var settings = RiskSettings()
        for rule in rules { settings.rules[rule] = RiskSettings.Rule() }
        return settings
    }

    /// The facts of sample declaration `n` filed by `filer`, changed by `change`, at `atUs`.
    static func facts(
        _ n: Int, filer: String = "platform", at atUs: Int64 = start, enterprise: String? = nil,
        change: (inout SampleFilings.Declaration) -> Void = { _ in }
    ) -> RiskFacts {
        var docs = SampleFilings.declaration(n)
        change(&docs)
        let declaration = DeclarationLinker.Declaration(
            order: .init(id: "ord-\(n)", sender: filer, document: docs.order),
            payment: .init(id: "pay-\(n)", sender: "bank", document: docs.payment),
            waybill: .init(id: "way-\(n)", sender: "post", document: docs.waybill),
            inventory: .init(id: "inv-\(n)", sender: filer, document: docs.inventory))
        var rates = HubConfig.Statistics()
        rates.cnyRates["USD"] = 7
        return RiskFacts(declaration, enterprise: enterprise, rates: rates, atUs: atUs)
    }

    /// One buyer for every declaration.
    static func sameBuyer(_ docs: inout SampleFilings.Declaration) {
        docs.order.buyerIDNumber = "330106199001010011"
        docs.inventory.buyerIDNumber = "330106199001010011"
    }

    static func run(_ rules: inout RiskRules, _ facts: RiskFacts, _ settings: RiskSettings) -> [RiskHit] {
        rules.assess(facts, settings: settings, blacklisted: []) { _ in nil }
    }

    static func value(_ hit: RiskHit?, _ key: String) -> String? { hit?.evidence.first { $0.key == key }?.value }

    // MARK: consumer_quota

    @Test func consumerQuotaHitsAPurchaseOverTheLimit() {
        var rules = RiskRules()
        let settings = Self.settings(.consumerQuota)
        #expect(Self.run(&rules, Self.facts(1), settings).isEmpty, "760.50 CNY is within 5,000")
        let large = Self.facts(2) { $0.order.goodsValue = "5000.00" }
        let hits = Self.run(&rules, large, settings)
        #expect(hits.map(\.rule) == [.consumerQuota])
        #expect(Self.value(hits.first, "purchase_cny") == "5010.00")
        #expect(Self.value(hits.first, "per_purchase_limit_cny") == "5000.00")
        #expect(hits.first?.personal.map(\.key) == ["buyer_id_number"])
        #expect(hits.first?.evidence.contains { $0.value.contains(large.buyerId) } == false, "the buyer's id is personal evidence only")
        // In another currency, at its rate: 700 USD = 4,900 CNY + 10 USD freight = 4,970.
        let dollars = Self.facts(3) {
            $0.order.goodsValue = "700"
            $0.order.currency = "USD"
        }
        #expect(Self.run(&rules, dollars, settings).isEmpty)
    }

    @Test func consumerQuotaAddsUpAYearAcrossPlatforms() {
        var rules = RiskRules()
        let settings = Self.settings(.consumerQuota)
        func purchase(_ n: Int, filer: String, at: Int64 = Self.start) -> RiskFacts {
            Self.facts(n, filer: filer, at: at) {
                Self.sameBuyer(&$0)
                $0.order.goodsValue = "4990.00"
            }
        }
        for n in 1...5 {
            #expect(Self.run(&rules, purchase(n, filer: n % 2 == 0 ? "platform-b" : "platform"), settings).isEmpty)
        }
        // An export of the same buyer id does not count.
        let export = Self.facts(9) {
            Self.sameBuyer(&$0)
            $0.inventory.ieFlag = "E"
        }
        #expect(Self.run(&rules, export, settings).isEmpty)
        let sixth = Self.run(&rules, purchase(6, filer: "platform-c"), settings)
        #expect(sixth.map(\.rule) == [.consumerQuota])
        #expect(Self.value(sixth.first, "year_total_cny") == "30000.00")
        #expect(Self.value(sixth.first, "per_year_limit_cny") == "26000.00")
        #expect(sixth.first?.relatedIds == ["inv-1", "inv-2", "inv-3", "inv-4", "inv-5"])
        // A new calendar year starts from nothing.
        let nextYear = Self.start + 60 * Self.day
        #expect(Self.run(&rules, purchase(7, filer: "platform", at: nextYear), settings).isEmpty)
    }

    @Test func aRefusedOrWithdrawnPurchaseLeavesTheQuota() {
        var rules = RiskRules()
        let settings = Self.settings(.consumerQuota)
        func purchase(_ n: Int) -> RiskFacts {
            Self.facts(n) {
                Self.sameBuyer(&$0)
                $0.order.goodsValue = "4990.00"
            }
        }
        for n in 1...5 { #expect(Self.run(&rules, purchase(n), settings).isEmpty) }
        rules.settle(FlowKey(sender: "platform", id: "inv-2"), counted: true)  // released and closed: still counts
        rules.settle(FlowKey(sender: "platform", id: "inv-3"), counted: false)  // refused
        rules.settle(FlowKey(sender: "platform", id: "inv-3"), counted: false)  // only once
        #expect(Self.run(&rules, purchase(6), settings).isEmpty, "25,000 CNY with the refused one out")
        let hits = Self.run(&rules, purchase(7), settings)
        #expect(Self.value(hits.first, "year_total_cny") == "30000.00")
        #expect(hits.first?.relatedIds == ["inv-1", "inv-2", "inv-4", "inv-5", "inv-6"])
    }

    // MARK: split_orders

    @Test func splitOrdersHitTheSameGoodsWithinTheWindow() {
        var rules = RiskRules()
        let settings = Self.settings(.splitOrders)  // 3 orders in 24 h
        let hour: Int64 = 3_600_000_000
        #expect(Self.run(&rules, Self.facts(1, at: Self.start, change: Self.sameBuyer), settings).isEmpty)
        #expect(Self.run(&rules, Self.facts(2, at: Self.start + hour, change: Self.sameBuyer), settings).isEmpty)
        // Other goods do not count with these.
        let other = Self.facts(3, at: Self.start + 2 * hour) {
            Self.sameBuyer(&$0)
            for index in $0.inventory.inventoryList.indices { $0.inventory.inventoryList[index].gcode = "3304990099" }
        }
        #expect(Self.run(&rules, other, settings).isEmpty)
        let third = Self.run(&rules, Self.facts(4, at: Self.start + 3 * hour, change: Self.sameBuyer), settings)
        #expect(third.map(\.rule) == [.splitOrders])
        #expect(Self.value(third.first, "orders_in_window") == "3")
        #expect(third.first?.relatedIds == ["inv-1", "inv-2"])
        // Another buyer's orders are not this buyer's.
        #expect(Self.run(&rules, Self.facts(5, at: Self.start + 4 * hour), settings).isEmpty)
    }

    @Test func splitOrdersForgetOrdersOutsideTheWindow() {
        var rules = RiskRules()
        let settings = Self.settings(.splitOrders)
        #expect(Self.run(&rules, Self.facts(1, at: Self.start, change: Self.sameBuyer), settings).isEmpty)
        #expect(Self.run(&rules, Self.facts(2, at: Self.start + Self.day / 2, change: Self.sameBuyer), settings).isEmpty)
        let late = Self.facts(3, at: Self.start + Self.day + 1, change: Self.sameBuyer)
        #expect(Self.run(&rules, late, settings).isEmpty, "the first order left the 24 h window")
    }

    // MARK: identity_spread

    @Test func identitySpreadHitsOneIdentityWithManyPhones() {
        var rules = RiskRules()
        let settings = Self.settings(.identitySpread)  // at most 3 each
        func filing(_ n: Int, phone: String) -> RiskFacts {
            Self.facts(n, at: Self.start + Int64(n) * 1_000_000) {
                Self.sameBuyer(&$0)
                $0.order.buyerTelephone = phone
                $0.order.consigneeTelephone = phone
                $0.inventory.buyerTelephone = phone
            }
        }
        for n in 1...3 { #expect(Self.run(&rules, filing(n, phone: "1390000000\(n)"), settings).isEmpty) }
        #expect(Self.run(&rules, filing(4, phone: "139 0000 0001"), settings).isEmpty, "a phone seen before, spaced otherwise")
        let hits = Self.run(&rules, filing(5, phone: "13900000005"), settings)
        #expect(hits.map(\.rule) == [.identitySpread])
        #expect(Self.value(hits.first, "phones_per_identity") == "4")
        #expect(hits.first?.personal.filter { $0.key == "phone" }.count == 4)
        // Each phone's latest declaration (the first phone's was seen again in inv-4).
        #expect(hits.first?.relatedIds == ["inv-2", "inv-3", "inv-4"])
    }

    @Test func identitySpreadHitsOneAddressBehindManyIdentities() {
        var rules = RiskRules()
        let settings = Self.settings(.identitySpread)
        // Sample declarations have a buyer id of their own each, one address.
        for n in 1...3 { #expect(Self.run(&rules, Self.facts(n), settings).isEmpty) }
        let hits = Self.run(&rules, Self.facts(4), settings)
        #expect(hits.map(\.rule) == [.identitySpread])
        #expect(Self.value(hits.first, "identities_per_address") == "4")
        #expect(Self.value(hits.first, "identities_per_phone") == "4")
        #expect(hits.first?.personal.filter { $0.key == "other_buyer_id_number" }.count == 6)
        // Outside the 30-day window they are forgotten.
        #expect(Self.run(&rules, Self.facts(5, at: Self.start + 31 * Self.day), settings).isEmpty)
    }

    @Test func identitySpreadCountsOnlyIdentitiesInTheWindowBeforeTheDailySweep() {
        var rules = RiskRules()
        let settings = Self.settings(.identitySpread)  // at most 3 ids per address, 30 days
        for n in 1...3 { #expect(Self.run(&rules, Self.facts(n), settings).isEmpty) }
        // The day the first three leave the window: swept an hour before they leave (still
        // in), then a fourth and fifth id an hour after, with no sweep in between.
        let window = 30 * Self.day
        let hour: Int64 = 3_600_000_000
        #expect(Self.run(&rules, Self.facts(4, at: Self.start + window - hour), settings).map(\.rule) == [.identitySpread])
        #expect(Self.run(&rules, Self.facts(5, at: Self.start + window + hour), settings).isEmpty, "ids 1–3 left the window")
        let hits = Self.run(&rules, Self.facts(6, at: Self.start + window + 2 * hour), settings)
        #expect(hits.isEmpty, "3 ids in the window (4, 5, 6), not more than 3")
        let seventh = Self.run(&rules, Self.facts(7, at: Self.start + window + 3 * hour), settings)
        #expect(Self.value(seventh.first, "identities_per_address") == "4")
    }

    // MARK: value_gap

    @Test func valueGapHitsDeclaredValueFarFromThePaidAmount() {
        var rules = RiskRules()
        let settings = Self.settings(.valueGap)  // ratio 2
        #expect(Self.run(&rules, Self.facts(1), settings).isEmpty, "declared 750.50, paid 829.67")
        let hits = Self.run(&rules, Self.facts(2) { $0.payment.amountPaid = "2000.00" }, settings)
        #expect(hits.map(\.rule) == [.valueGap])
        #expect(Self.value(hits.first, "declared_cny") == "750.5" && Self.value(hits.first, "paid_cny") == "2000")
        #expect(hits.first?.personal.isEmpty == true)
    }

    @Test func valueGapHitsAUnitPriceFarFromTheGoodsHistory() {
        var rules = RiskRules()
        let settings = Self.settings(.valueGap)  // 5 lines of history, ratio 3
        func cheap(_ n: Int) -> RiskFacts {
            Self.facts(n) {
                $0.inventory.inventoryList[0].price = "30.00"
                $0.inventory.inventoryList[0].totalPrice = "60.00"
                $0.payment.amountPaid = "230.00"  // near the declared 210.50
            }
        }
        #expect(Self.run(&rules, cheap(1), settings).isEmpty, "no history yet")
        for n in 2...3 { #expect(Self.run(&rules, Self.facts(n), settings).isEmpty) }
        // History now 6 lines of 1901101000: 30, 150.5, 300, 150.5, 300, 150.5; mean 180.25.
        let hits = Self.run(&rules, cheap(4), settings)
        #expect(hits.map(\.rule) == [.valueGap])
        #expect(Self.value(hits.first, "gcode") == "1901101000")
        #expect(Self.value(hits.first, "unit_price_cny") == "30")
        #expect(Self.value(hits.first, "history_lines") == "6")
    }

    // MARK: volume_change

    @Test func volumeChangeHitsASuddenRiseOnceADay() {
        var rules = RiskRules()
        var settings = Self.settings(.volumeChange)
        settings.volumeChange.windowDays = 3
        settings.volumeChange.minVolume = 5
        var n = 0
        func declare(day: Int64) -> [RiskHit] {
            n += 1
            return Self.run(&rules, Self.facts(n, at: Self.start + day * Self.day + Int64(n)), settings)
        }
        // Days 0-2: two a day. On day 1 a burst finds no history yet: the enterprise is new.
        for day: Int64 in 0...2 { for _ in 0..<(day == 1 ? 9 : 2) { #expect(declare(day: day).isEmpty) } }
        // Day 3: the mean of days 0-2 is 13/3; the 14th declaration passes 3 × 4.33.
        for _ in 1...13 { #expect(declare(day: 3).isEmpty) }
        let hits = declare(day: 3)
        #expect(hits.map(\.rule) == [.volumeChange])
        #expect(Self.value(hits.first, "kind") == "volume" && Self.value(hits.first, "declarations_today") == "14")
        #expect(declare(day: 3).isEmpty, "once a day")
    }

    @Test func volumeChangeHitsARisingRefusalRate() {
        var rules = RiskRules()
        var settings = Self.settings(.volumeChange)
        settings.volumeChange.windowDays = 2
        settings.volumeChange.minVolume = 4
        var n = 0
        func declare(day: Int64) -> [RiskHit] {
            n += 1
            return Self.run(&rules, Self.facts(n, at: Self.start + day * Self.day + Int64(n)), settings)
        }
        for day: Int64 in 0...1 { for _ in 0..<4 { #expect(declare(day: day).isEmpty) } }
        rules.noteRefused(ebcCode: "3301960001", atUs: Self.start + Self.day, settings: settings)  // 1 in 8 before
        for _ in 0..<3 { #expect(declare(day: 2).isEmpty) }
        for _ in 0..<2 { rules.noteRefused(ebcCode: "3301960001", atUs: Self.start + 2 * Self.day, settings: settings) }
        // Day 2: 2 refused of 4 (0.5) against 1 of 8 (0.125): up 0.375, over 0.3.
        let hits = declare(day: 2)
        #expect(hits.map(\.rule) == [.volumeChange])
        #expect(Self.value(hits.first, "kind") == "refusal_rate")
        #expect(Self.value(hits.first, "refusal_rate_today") == "0.5")
    }

    // MARK: blacklist_links

    @Test func blacklistLinksHitAnEnterpriseSharingAContactWithABlacklistedOne() {
        var rules = RiskRules()
        let settings = Self.settings(.blacklistLinks)
        var clean = SampleFilings.registration(
            copNo: "a", socialCreditCode: "91330100MA27XXXX1A", customsCode: "3301960001", name: "A", roles: [.platform],
            bankCode: "BKCHCNBJ")
        clean.contact.telephone = "0571-88001111"
        var listed = SampleFilings.registration(
            copNo: "b", socialCreditCode: "91330100MA27YYYY2B", customsCode: "3301960002", name: "B", roles: [.platform],
            bankCode: "BKCHCNBJ")
        listed.contact.telephone = " 0571-8800 1111"
        listed.address = "上海市浦东新区 1 号"
        rules.noteRegistration(clean)
        rules.noteRegistration(listed)
        let facts = Self.facts(1, enterprise: "91330100MA27XXXX1A")
        let b = "91330100MA27YYYY2B"
        #expect(rules.assess(facts, settings: settings, blacklisted: []) { _ in nil }.isEmpty, "B is not blacklisted")
        let blacklisting: (String) -> String? = { $0 == b ? "blacklisted by tax" : nil }
        let hits = rules.assess(facts, settings: settings, blacklisted: [b], blacklisting: blacklisting)
        #expect(hits.map(\.rule) == [.blacklistLinks])
        #expect(Self.value(hits.first, "linked_enterprise") == b && Self.value(hits.first, "shared") == "phone")
        #expect(hits.first?.personal.map(\.key) == ["phone"])
        // Only the blacklisted are looked at: a listed enterprise sharing nothing, none listed.
        #expect(rules.assess(facts, settings: settings, blacklisted: ["91330100MA27ZZZZ3C"], blacklisting: blacklisting).isEmpty)
        #expect(rules.assess(facts, settings: settings, blacklisted: [], blacklisting: blacklisting).isEmpty)
        // An enterprise is never linked to itself.
        let own = Self.facts(1, enterprise: b)
        #expect(rules.assess(own, settings: settings, blacklisted: [b], blacklisting: blacklisting).isEmpty)
        // B changes its phone: the link is gone.
        listed.contact.telephone = "021-55550000"
        rules.noteRegistration(listed)
        #expect(rules.assess(facts, settings: settings, blacklisted: [b]) { _ in "blacklisted" }.isEmpty)
    }

    @Test func rulesThatDoNotRunRememberNothing() {
        var rules = RiskRules()
        for n in 1...5 {
            #expect(Self.run(&rules, Self.facts(n, change: Self.sameBuyer), Self.settings(.valueGap)).isEmpty)
        }
        #expect(Self.run(&rules, Self.facts(6, change: Self.sameBuyer), Self.settings(.splitOrders)).isEmpty)
    }
}
