import DepartmentFormats
import Foundation
import HubClient
import HubProtocol
import SwiftProtobuf

/// Where `swhub replay` writes each delivery: JSON lines (one object per message, the body
/// as protobuf JSON when its type is a typed one, else base64) or length-delimited
/// `swhub.v1.JournalEntry` (`SwiftProtobuf.BinaryDelimited`).
final class ReplayOutput {
    enum Format: String, CaseIterable { case json, proto }

    private let format: Format
    private let stream: OutputStream
    /// The protobuf message of each typed type.
    private let typed: [String: any SwiftProtobuf.Message.Type]

    /// Opens `path` (created or truncated), or standard output when nil.
    init(path: String?, format: Format, typed: [String: any SwiftProtobuf.Message.Type]) throws {
        self.format = format
        self.typed = typed
        // Created (or truncated) here, so a path that cannot be written fails before the
        // replay starts. (`OutputStream.streamError` is not implemented on Linux.)
        if let path, !FileManager.default.createFile(atPath: path, contents: nil) {
            throw ReplayOutputError("cannot create \(path)")
        }
        guard let stream = OutputStream(toFileAtPath: path ?? "/dev/stdout", append: true) else {
            throw ReplayOutputError("cannot open \(path ?? "standard output") for writing")
        }
        stream.open()
        self.stream = stream
    }

    /// The typed types: those of the hub's config when given (`types: - name/message`),
    /// else the hub's business types (`Schemas/business.proto`, as `HubJSONFile` knows them).
    static func typedTypes(hubTypeMessages: [String: String]?) -> [String: any SwiftProtobuf.Message.Type] {
        guard let hubTypeMessages else { return HubJSONFile.messages }
        var byMessageName: [String: any SwiftProtobuf.Message.Type] = [:]
        for message in HubJSONFile.messages.values { byMessageName[message.protoMessageName] = message }
        return hubTypeMessages.compactMapValues { byMessageName[$0] }
    }

    func write(_ delivery: Delivery) throws {
        switch format {
        case .proto:
            var entry = WireJournalEntry()
            entry.header = delivery.header
            entry.body = Data(delivery.body)
            try BinaryDelimited.serialize(message: entry, to: stream)
        case .json:
            try writeAll(Array((jsonLine(delivery) + "\n").utf8))
        }
    }

    func close() { stream.close() }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBufferPointer { stream.write($0.baseAddress!, maxLength: $0.count) }
            guard written > 0 else { throw ReplayOutputError("write failed after \(offset) of \(bytes.count) bytes") }
            offset += written
        }
    }

    /// One JSON object: the header's fields, times as ISO 8601 and µs, and the body.
    func jsonLine(_ delivery: Delivery) -> String {
        let header = delivery.header
        let head: [String: Any] = [
            "seq": header.seq, "id": header.id, "type": header.type, "sender": header.sender,
            "recipient": header.recipients.first ?? "", "correlation_id": header.correlationID,
            "created_at_us": header.createdAtUs, "created_at": Self.iso(header.createdAtUs),
            "journaled_at_us": header.journaledAtUs, "journaled_at": Self.iso(header.journaledAtUs),
            "body_bytes": delivery.body.count,
        ]
        var text = String(
            decoding: (try? JSONSerialization.data(withJSONObject: head, options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
        text.removeLast()  // the closing brace: the body goes in as swift-protobuf writes it
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        if let message = typed[header.type], let json = try? message.init(serializedBytes: delivery.body).jsonString(options: options) {
            text += ",\"body\":\(json)}"
        } else {
            text += ",\"body_base64\":\"\(Data(delivery.body).base64EncodedString())\"}"
        }
        return text
    }

    /// `2026-11-22T05:01:02.123456Z`.
    static func iso(_ microseconds: Int64) -> String {
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let fraction = microseconds - seconds * 1_000_000
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var text = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        text.removeLast()  // "Z"
        return text + String(format: ".%06lldZ", fraction)
    }
}

struct ReplayOutputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
