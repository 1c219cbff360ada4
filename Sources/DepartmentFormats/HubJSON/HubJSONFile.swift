import Foundation
import HubProtocol
import SwiftProtobuf

/// The hub's own JSON, for messages a department's format has no form for (registrations
/// and their results, credit notices, queries and answers, feedback...): one JSON object
/// per line, each `{"type": "reg.Result", "correlation_id": "…", "recipients": […],
/// "body": {…}}` with the body in ProtoJSON (field names as in `Schemas/business.proto`,
/// lowerCamelCase or snake_case both read). Outbound files carry the delivery's header too
/// (`id`, `sender`, `seq`, `journaled_at_us`).
public enum HubJSONFile {
    /// The business message of each hub type.
    public static let messages: [String: any SwiftProtobuf.Message.Type] = Dictionary(
        uniqueKeysWithValues: MessageType.known.compactMap { type in type.bodyMessage.map { (type.rawValue, $0) } })

    /// Reads every line of a hub JSON file (blank lines skipped).
    public static func read(_ data: [UInt8], fileName: String) throws(FormatError) -> [InboundDocument] {
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var documents: [InboundDocument] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            documents.append(try document(String(trimmed), line: index + 1))
        }
        guard !documents.isEmpty else { throw FormatError(.missingField, "\(fileName) holds no message") }
        return documents
    }

    private static func document(_ line: String, line number: Int) throws(FormatError) -> InboundDocument {
        let at = "line \(number)"
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
            throw FormatError(.syntax, at: at, "not a JSON object")
        }
        guard let type = object["type"] as? String, !type.isEmpty else {
            throw FormatError(.missingField, at: at + ", key type", "no message type")
        }
        guard let message = messages[type] else {
            throw FormatError(.unknownDocument, at: at + ", key type", "'\(type)' is not a hub message type")
        }
        guard let body = object["body"], JSONSerialization.isValidJSONObject(body),
            let bodyJSON = try? JSONSerialization.data(withJSONObject: body)
        else {
            throw FormatError(.missingField, at: at + ", key body", "no body object")
        }
        let bytes: [UInt8]
        do {
            bytes = try message.init(jsonUTF8Data: bodyJSON).serializedBytes()
        } catch {
            throw FormatError(.invalidValue, at: at + ", key body", "not a \(message.protoMessageName): \(error)")
        }
        let recipients = object["recipients"] as? [String] ?? []
        return InboundDocument(
            type: type, body: bytes, position: at, correlationId: object["correlation_id"] as? String ?? "", recipients: recipients)
    }

    /// The file for one delivered message: `<type>_<id>.json`, the id made safe for a file name.
    public static func write(_ header: WireHeader, body: [UInt8]) throws(FormatError) -> OutboundFile {
        guard let message = messages[header.type] else {
            throw FormatError(.unsupported, "'\(header.type)' is not a hub message type")
        }
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        let bodyJSON: String
        do {
            bodyJSON = try message.init(serializedBytes: body).jsonString(options: options)
        } catch {
            throw FormatError(.invalidValue, "the \(header.type) body does not decode: \(error)")
        }
        let head: [String: Any] = [
            "type": header.type, "id": header.id, "sender": header.sender, "correlation_id": header.correlationID,
            "seq": header.seq, "journaled_at_us": header.journaledAtUs,
        ]
        guard let headJSON = try? JSONSerialization.data(withJSONObject: head, options: [.sortedKeys]) else {
            throw FormatError(.invalidValue, "the header does not encode as JSON")
        }
        var text = String(decoding: headJSON, as: UTF8.self)
        text.removeLast()  // the closing brace: the body goes in as written by swift-protobuf
        text += ",\"body\":\(bodyJSON)}\n"
        return OutboundFile(name: fileName(type: header.type, id: header.id, extension: "json"), content: Array(text.utf8))
    }

    /// `<type>_<id>.<extension>` with every character outside `[A-Za-z0-9._-]` replaced by `_`
    /// (and long ids shortened), so one hub message always gives the same file name.
    public static func fileName(type: String, id: String, extension ext: String) -> String {
        let safe = { (text: String) in
            String(
                text.unicodeScalars.map { scalar -> Character in
                    let c = Character(scalar)
                    return (scalar.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-")) ? c : "_"
                })
        }
        var name = safe(id)
        if name.count > 150 { name = String(name.prefix(120)) + "_" + StableHash(seed: 0, id).hex }
        return "\(safe(type))_\(name).\(ext)"
    }
}
