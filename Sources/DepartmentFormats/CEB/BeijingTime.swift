import Foundation

/// Times as the customs standard writes them: China Standard Time (UTC+08:00, no daylight
/// saving), the zone of the e-port, without a zone designator.
enum BeijingTime {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3600) ?? calendar.timeZone
        return calendar
    }()

    /// `YYYYMMDDhhmmss`, the standard's appTime.
    static func appTime(_ date: Date) -> String {
        let parts = fields(date)
        return parts.map { pad($0.value, $0.width) }.joined()
    }

    /// `YYYY-MM-DDThh:mm:ss`, the DXP envelope's CreatTime (xs:dateTime).
    static func dateTime(_ date: Date) -> String {
        let parts = fields(date).map { pad($0.value, $0.width) }
        return "\(parts[0])-\(parts[1])-\(parts[2])T\(parts[3]):\(parts[4]):\(parts[5])"
    }

    private static func fields(_ date: Date) -> [(value: Int, width: Int)] {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return [(c.year ?? 0, 4), (c.month ?? 0, 2), (c.day ?? 0, 2), (c.hour ?? 0, 2), (c.minute ?? 0, 2), (c.second ?? 0, 2)]
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
