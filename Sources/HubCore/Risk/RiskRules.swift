import Foundation
import HubProtocol

/// The risk rules (风险防控) as a value: the facts of each declaration in, hits out. It
/// remembers what the rules need across declarations and platforms — a consumer's
/// purchases this year, recent purchases of the same goods, the phones and addresses behind
/// each identity, prices of each HS code, each enterprise's daily volumes, the contacts and
/// accounts of registered enterprises — only for the rules that run, and forgets what
/// fell out of every window. Its state is a function of the facts given, in order, so the
/// flows carry it in their snapshot.
///
/// Amounts are kept in fen (CNY cents) so that the state encodes exactly.
public struct RiskRules: Sendable, Equatable, Codable {
    /// A sighting: when, and in which declaration (inventory message id).
    struct Stamp: Sendable, Equatable, Codable {
        var atUs: Int64
        var id: String
    }

    /// Declarations and refusals of one enterprise on one day.
    struct DayCount: Sendable, Equatable, Codable {
        var declared = 0
        var refused = 0
    }

    /// What a declaration in progress added to its buyer's purchases of a year.
    struct Charge: Sendable, Equatable, Codable {
        var buyer: String
        var year: Int
        var fen: Int64
    }

    /// Unit prices seen of one HS code.
    struct PriceHistory: Sendable, Equatable, Codable {
        var count = 0
        var totalFen: Int64 = 0
    }

    // consumer_quota
    var quotaYear = 0
    var yearFen: [String: Int64] = [:]  // buyer id → purchases this year
    var yearIds: [String: [String]] = [:]  // buyer id → this year's declarations (the latest 50)
    var charges: [FlowKey: Charge] = [:]  // declarations in progress → what they added to a buyer's year
    // split_orders
    var purchases: [String: [Stamp]] = [:]  // "buyer id|gcode" → within the window
    // identity_spread
    var identityValues: [String: [String: Stamp]] = [:]  // buyer id → "consignee:…" / "phone:…" / "address:…"
    var contactIdentities: [String: [String: Stamp]] = [:]  // "phone:…" / "address:…" → buyer id
    // value_gap
    var prices: [String: PriceHistory] = [:]  // gcode
    // volume_change
    var volumes: [String: [String: DayCount]] = [:]  // ebc_code → day number → counts
    var volumeFirstDay: [String: Int] = [:]  // ebc_code → the first day it declared
    var volumeHits: [String: Int] = [:]  // "ebc_code|volume" / "ebc_code|refusals" → day of the last hit
    // blacklist_links
    var enterpriseLinks: [String: [String]] = [:]  // credit code → its link keys ("phone:…" / "email:…" / "address:…" / "account:…")
    /// The day (days since the epoch) windows were last swept.
    var sweptDay = 0

    public init() {}

    /// Runs every rule of `settings` on `facts`.
    ///
    /// - Parameters:
    ///   - facts: The declaration.
    ///   - settings: Which rules run, and their parameters.
    ///   - blacklisted: Every blacklisted enterprise (credit code): `blacklist_links` looks
    ///     at these.
    ///   - blacklisting: Why an enterprise (credit code) is blacklisted, nil when it is not.
    /// - Returns: The hits, in the order of ``RiskRuleName/allCases``.
    public mutating func assess(
        _ facts: RiskFacts, settings: RiskSettings, blacklisted: [String], blacklisting: (String) -> String?
    ) -> [RiskHit] {
        sweep(atUs: facts.atUs, settings: settings)
        var hits: [RiskHit] = []
        if settings.runs(.consumerQuota) { hits += consumerQuota(facts, settings.consumerQuota) }
        if settings.runs(.splitOrders) { hits += splitOrders(facts, settings.splitOrders) }
        if settings.runs(.identitySpread) { hits += identitySpread(facts, settings.identitySpread) }
        if settings.runs(.valueGap) { hits += valueGap(facts, settings.valueGap) }
        if settings.runs(.volumeChange) { hits += volumeChange(facts, settings.volumeChange) }
        if settings.runs(.blacklistLinks) { hits += blacklistLinks(facts, blacklisted: blacklisted, blacklisting: blacklisting) }
        return hits
    }

    /// A declaration the rules do not assess (refused by 三单对碰) still counts in its
    /// enterprise's volume.
    public mutating func noteDeclared(ebcCode: String, atUs: Int64, settings: RiskSettings) {
        guard settings.runs(.volumeChange), !ebcCode.isEmpty else { return }
        let day = Self.dayNumber(atUs)
        if volumeFirstDay[ebcCode] == nil { volumeFirstDay[ebcCode] = day }
        volumes[ebcCode, default: [:]][String(day), default: DayCount()].declared += 1
    }

    /// A declaration of `ebcCode` was refused (by the hub's rules, a reviewer or customs).
    public mutating func noteRefused(ebcCode: String, atUs: Int64, settings: RiskSettings) {
        guard settings.runs(.volumeChange), !ebcCode.isEmpty else { return }
        volumes[ebcCode, default: [:]][String(Self.dayNumber(atUs)), default: DayCount()].refused += 1
    }

    /// A declaration ended: a refused or withdrawn one no longer counts in its buyer's
    /// purchases of the year (`consumer_quota`).
    public mutating func settle(_ subject: FlowKey, counted: Bool) {
        guard let charge = charges.removeValue(forKey: subject), !counted, charge.year == quotaYear else { return }
        yearFen[charge.buyer] = max(0, (yearFen[charge.buyer] ?? 0) - charge.fen)
        yearIds[charge.buyer]?.removeAll { $0 == subject.id }
    }

    /// Days since the epoch of a journal time.
    static func dayNumber(_ us: Int64) -> Int { Int(us >= 0 ? us / 86_400_000_000 : (us + 1) / 86_400_000_000 - 1) }

    static func fen(_ cny: Decimal) -> Int64 {
        var value = cny * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    static func cny(fen: Int64) -> String {
        let sign = fen < 0 ? "-" : ""
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// Once a day, forgets sightings older than every window (and quota totals of past
    /// years), so memory follows the windows, not the journal's age.
    private mutating func sweep(atUs now: Int64, settings: RiskSettings) {
        let day = Self.dayNumber(now)
        let year = CivilDay(microseconds: now).year
        if year != quotaYear {
            quotaYear = year
            yearFen = [:]
            yearIds = [:]
        }
        guard day > sweptDay else { return }
        sweptDay = day
        let splitFrom = now - settings.splitOrders.windowUs
        purchases = purchases.compactMapValues { stamps in
            let kept = stamps.filter { $0.atUs > splitFrom }
            return kept.isEmpty ? nil : kept
        }
        let spreadFrom = now - settings.identitySpread.windowUs
        identityValues = identityValues.compactMapValues { values in
            let kept = values.filter { $0.value.atUs > spreadFrom }
            return kept.isEmpty ? nil : kept
        }
        contactIdentities = contactIdentities.compactMapValues { values in
            let kept = values.filter { $0.value.atUs > spreadFrom }
            return kept.isEmpty ? nil : kept
        }
        let firstDay = day - settings.volumeChange.windowDays
        volumes = volumes.compactMapValues { days in
            let kept = days.filter { (Int($0.key) ?? 0) >= firstDay }
            return kept.isEmpty ? nil : kept
        }
        volumeHits = volumeHits.filter { $0.value >= day }
    }
}
