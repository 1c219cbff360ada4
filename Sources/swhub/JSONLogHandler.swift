import Foundation
import Logging

/// `--log-format json`: one JSON object per line on file descriptor 2, for log shippers:
/// `{"label":…,"level":…,"message":…,"metadata":{…},"time":"2026-11-22T05:01:02.123Z"}`,
/// keys sorted, metadata values as strings (nested dictionaries and arrays as such).
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        FileHandle.standardError.write(Self.line(label: label, event: event, base: metadata, provided: metadataProvider?.get() ?? [:]))
    }

    /// The bytes of one log line, newline included.
    static func line(label: String, event: LogEvent, base: Logger.Metadata, provided: Logger.Metadata, now: Date = Date()) -> Data {
        var merged = base.merging(provided) { _, new in new }
        if let metadata = event.metadata { merged.merge(metadata) { _, new in new } }
        var object: [String: Any] = [
            "time": timestamp(now),
            "level": event.level.rawValue,
            "label": label,
            "message": event.message.description,
        ]
        if !merged.isEmpty { object["metadata"] = merged.mapValues(json) }
        var data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data(#"{"level":"error","message":"unencodable log line"}"#.utf8)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    private static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .dictionary(let dictionary): dictionary.mapValues(json)
        case .array(let array): array.map(json)
        }
    }

    private static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
