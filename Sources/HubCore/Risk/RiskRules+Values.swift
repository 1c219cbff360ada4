import Foundation

/// The rules about values and volumes: value gaps and sudden changes of an enterprise.
extension RiskRules {
    /// `value_gap`: declared value and paid amount apart by the ratio or more; or a line's
    /// unit price that far from the mean of the HS code's earlier lines (at least
    /// `minHistory` of them). The line's price joins the history afterwards.
    mutating func valueGap(_ facts: RiskFacts, _ gap: RiskSettings.ValueGap) -> [RiskHit] {
        var evidence: [RiskHit.Evidence] = []
        if let declared = facts.declaredCny, let paid = facts.paidCny, declared > 0, paid > 0 {
            let ratio = max(declared, paid) / min(declared, paid)
            if ratio >= gap.paidRatio {
                evidence += [
                    .init("declared_cny", declared.cnyText), .init("paid_cny", paid.cnyText), .init("ratio", ratio.cnyText),
                    .init("paid_ratio", "\(gap.paidRatio)"),
                ]
            }
        }
        for line in facts.lines {
            guard let unit = line.unitPriceCny, unit > 0 else { continue }
            var history = prices[line.goods] ?? PriceHistory()
            if history.count >= gap.minHistory, history.totalFen > 0 {
                let mean = Decimal(history.totalFen) / 100 / Decimal(history.count)
                let ratio = max(mean, unit) / min(mean, unit)
                if ratio >= gap.historyRatio {
                    evidence += [
                        .init("gcode", line.goods), .init("unit_price_cny", unit.cnyText), .init("mean_unit_price_cny", mean.cnyText),
                        .init("history_lines", String(history.count)), .init("history_ratio", "\(gap.historyRatio)"),
                    ]
                }
            }
            history.count += 1
            history.totalFen += Self.fen(unit)
            prices[line.goods] = history
        }
        return evidence.isEmpty ? [] : [RiskHit(.valueGap, evidence: evidence)]
    }

    /// `volume_change`: the enterprise's declarations today against its daily mean over the
    /// window before, and its refusal rate today against the window's. Each kind hits once
    /// per enterprise and day (both in one hit); an enterprise younger than the window is not judged.
    mutating func volumeChange(_ facts: RiskFacts, _ volume: RiskSettings.VolumeChange) -> [RiskHit] {
        let ebc = facts.ebcCode
        guard !ebc.isEmpty else { return [] }
        let today = Self.dayNumber(facts.atUs)
        volumes[ebc, default: [:]][String(today), default: DayCount()].declared += 1
        let days = volumes[ebc] ?? [:]
        let now = days[String(today)] ?? DayCount()
        let window = (today - volume.windowDays)..<today
        let before = days.filter { window.contains(Int($0.key) ?? .min) }.values
        if volumeFirstDay[ebc] == nil { volumeFirstDay[ebc] = today }
        guard let first = volumeFirstDay[ebc], first <= today - volume.windowDays else { return [] }
        let declared = before.reduce(0) { $0 + $1.declared }
        let refused = before.reduce(0) { $0 + $1.refused }
        var evidence: [RiskHit.Evidence] = []
        let mean = Decimal(declared) / Decimal(volume.windowDays)
        // today > factor × max(mean, 1), multiplied out by the window's days: exact.
        if now.declared >= volume.minVolume,
            Decimal(now.declared * volume.windowDays) > volume.volumeFactor * Decimal(max(declared, volume.windowDays)),
            volumeHits[ebc + "|volume"] != today
        {
            volumeHits[ebc + "|volume"] = today
            evidence += [
                .init("kind", "volume"), .init("declarations_today", String(now.declared)), .init("daily_mean", mean.cnyText),
                .init("volume_factor", "\(volume.volumeFactor)"),
            ]
        }
        if now.declared >= volume.minVolume, declared > 0, volumeHits[ebc + "|refusals"] != today {
            let rate = Decimal(now.refused) / Decimal(now.declared)
            let trailing = Decimal(refused) / Decimal(declared)
            if rate - trailing >= volume.refusalRateIncrease {
                volumeHits[ebc + "|refusals"] = today
                evidence += [
                    .init("kind", "refusal_rate"), .init("refusal_rate_today", rate.cnyText),
                    .init("refusal_rate_window", trailing.cnyText), .init("declarations_today", String(now.declared)),
                ]
            }
        }
        guard !evidence.isEmpty else { return [] }
        evidence.append(.init("window_days", String(volume.windowDays)))
        return [RiskHit(.volumeChange, evidence: evidence)]
    }
}
