import HubCore
import HubProtocol
import Testing

@Suite("Credit: blacklists shared, filings refused, flows flagged")
struct CreditRegistryTests {
    static let code = "91330108MA27Y5XK3F"

    static func notice(blacklisted: Bool, reason: String = "", document: String = "") -> BizCreditNotice {
        var notice = BizCreditNotice()
        notice.socialCreditCode = code
        notice.blacklisted = blacklisted
        notice.reason = reason
        notice.documentNo = document
        notice.level = blacklisted ? .dishonest : .general
        return notice
    }

    @Test func aBlacklistingIsSharedRefusesFilingsAndFlagsFlows() {
        var registry = CreditRegistry()
        #expect(!registry.isBlacklisted(Self.code))
        let actions = registry.notice(Self.notice(blacklisted: true, reason: "走私", document: "杭关缉决字〔2026〕1号"), from: "customs")
        #expect(actions == [.share, .flagInProgress(enterprise: Self.code, reason: "blacklisted by customs (杭关缉决字〔2026〕1号): 走私")])
        #expect(registry.isBlacklisted(Self.code))
        #expect(registry.refusalReason(Self.code) == "blacklisted by customs (杭关缉决字〔2026〕1号): 走私")
    }

    @Test func eachDepartmentLiftsOnlyItsOwnListing() {
        var registry = CreditRegistry()
        _ = registry.notice(Self.notice(blacklisted: true, reason: "a"), from: "customs")
        #expect(registry.notice(Self.notice(blacklisted: true, reason: "b"), from: "tax") == [.share], "already flagged")
        #expect(registry.listings(of: Self.code).map(\.department) == ["customs", "tax"])
        #expect(registry.notice(Self.notice(blacklisted: false), from: "customs") == [.share])
        #expect(registry.isBlacklisted(Self.code), "tax still lists it")
        #expect(registry.notice(Self.notice(blacklisted: false), from: "forex") == [.share], "forex never listed it")
        #expect(registry.notice(Self.notice(blacklisted: false), from: "tax") == [.share, .lifted(enterprise: Self.code)])
        #expect(!registry.isBlacklisted(Self.code))
        #expect(registry.refusalReason(Self.code) == nil)
    }

    @Test func aRepeatedListingReplacesTheDepartmentsEarlierOne() {
        var registry = CreditRegistry()
        _ = registry.notice(Self.notice(blacklisted: true, reason: "old"), from: "customs")
        _ = registry.notice(Self.notice(blacklisted: true, reason: "new"), from: "customs")
        #expect(registry.listings(of: Self.code).map(\.reason) == ["new"])
    }

    @Test func aNoticeWithoutAnEnterpriseIsOnlyShared() {
        var registry = CreditRegistry()
        var notice = Self.notice(blacklisted: true)
        notice.socialCreditCode = ""
        #expect(registry.notice(notice, from: "customs") == [.share])
        #expect(registry == CreditRegistry())
    }
}
