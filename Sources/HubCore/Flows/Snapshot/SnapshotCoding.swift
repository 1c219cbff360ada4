import Foundation
import HubProtocol
import SwiftProtobuf

/// A dictionary key of a snapshot (``FlowSnapshot``) as one string: each part after its
/// length in UTF-8 bytes and a colon (`6:platform5:inv-1`), so any text can be a part and
/// the parts come back exactly. Keys that are strings keep JSON objects, which the
/// snapshot encodes with sorted keys: the same state always gives the same bytes.
struct SnapshotKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(parts: [String]) {
        stringValue = parts.map { "\($0.utf8.count):\($0)" }.joined()
    }

    init?(stringValue: String) { self.stringValue = stringValue }

    init?(intValue: Int) { nil }

    /// The `count` parts of a key, nil unless it is exactly that many parts.
    static func parts(of key: String, count: Int) -> [String]? {
        var parts: [String] = []
        var rest = Substring(key).utf8[...]
        while !rest.isEmpty {
            guard let colon = rest.firstIndex(of: UInt8(ascii: ":")),
                let length = Int(Substring(rest[rest.startIndex..<colon])), length >= 0,
                rest.distance(from: colon, to: rest.endIndex) > length
            else { return nil }
            let start = rest.index(after: colon)
            let end = rest.index(start, offsetBy: length)
            guard let part = String(rest[start..<end]) else { return nil }
            parts.append(part)
            rest = rest[end...]
        }
        return parts.count == count ? parts : nil
    }
}

/// A protobuf message in a snapshot: its binary encoding (base64 in JSON).
struct ProtoCoded<Message: SwiftProtobuf.Message>: Codable, Sendable {
    var message: Message

    init(_ message: Message) { self.message = message }

    init(from decoder: any Swift.Decoder) throws {
        let data = try decoder.singleValueContainer().decode(Data.self)
        do {
            message = try Message(serializedBytes: data)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a \(Message.protoMessageName): \(error)"))
        }
    }

    func encode(to encoder: any Swift.Encoder) throws {
        var container = encoder.singleValueContainer()
        let bytes: Data = try message.serializedBytes()
        try container.encode(bytes)
    }
}

/// A filed document in a snapshot: id, sender and the document's protobuf bytes.
extension DeclarationLinker.Filed: Codable where Document: SwiftProtobuf.Message {
    private enum CodingKeys: String, CodingKey {
        case id, sender, document
    }

    public init(from decoder: any Swift.Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id), sender: try container.decode(String.self, forKey: .sender),
            document: try container.decode(ProtoCoded<Document>.self, forKey: .document).message)
    }

    public func encode(to encoder: any Swift.Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(sender, forKey: .sender)
        try container.encode(ProtoCoded(document), forKey: .document)
    }
}

/// A released inventory in a snapshot: the inventory's protobuf bytes and the day.
extension SummaryAggregator.Released: Codable {
    private enum CodingKeys: String, CodingKey {
        case inventory, releaseDate
    }

    public init(from decoder: any Swift.Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            inventory: try container.decode(ProtoCoded<BizInventory>.self, forKey: .inventory).message,
            releaseDate: try container.decode(String.self, forKey: .releaseDate))
    }

    public func encode(to encoder: any Swift.Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ProtoCoded(inventory), forKey: .inventory)
        try container.encode(releaseDate, forKey: .releaseDate)
    }
}

/// An emission in a snapshot (what was still owed when it was taken), its body as bytes.
extension FlowEmission: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, type, recipients, correlationId, body
    }

    public init(from decoder: any Swift.Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id), type: try container.decode(String.self, forKey: .type),
            recipients: try container.decode([String].self, forKey: .recipients),
            correlationId: try container.decode(String.self, forKey: .correlationId),
            body: [UInt8](try container.decode(Data.self, forKey: .body)))
    }

    public func encode(to encoder: any Swift.Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(recipients, forKey: .recipients)
        try container.encode(correlationId, forKey: .correlationId)
        try container.encode(Data(body), forKey: .body)
    }
}

/// A held record in a snapshot: its type, recipients, its message in the journal when it
/// has one, its body unless parked (a parked record is read back from the journal,
/// ``FlowEngine/heldBodies``), and the fields queries worked out (those of
/// ``FlowEngine/queriedFields``; all of them in a snapshot of an older build).
extension FlowEngine.HeldRecord: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, body, recipients, ref, fields
    }

    init(from decoder: any Swift.Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let decoded = try container.decode(MessageType.self, forKey: .type)
        // One string for every record of a type, not one each.
        type = FlowEngine.heldTypes.first { $0 == decoded } ?? decoded
        recipients = try container.decode([String].self, forKey: .recipients)
        ref = try container.decodeIfPresent(FlowEngine.HeldRef.self, forKey: .ref)
        knownFields = try container.decodeIfPresent([String: String].self, forKey: .fields).map(KnownFields.init)
        if let bytes = try container.decodeIfPresent(Data.self, forKey: .body) {
            body = [UInt8](bytes)
        } else if ref != nil {
            body = []
            parked = true
        } else {
            throw DecodingError.keyNotFound(
                CodingKeys.body, .init(codingPath: decoder.codingPath, debugDescription: "a held record with neither body nor ref"))
        }
    }

    func encode(to encoder: any Swift.Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        if !parked { try container.encode(Data(body), forKey: .body) }
        try container.encode(recipients, forKey: .recipients)
        try container.encodeIfPresent(ref, forKey: .ref)
        try container.encodeIfPresent(knownFields?.dictionary, forKey: .fields)
    }
}

/// FNV-1a (64 bits) of bytes: the snapshot's check against damage in storage (not
/// against tampering).
enum SnapshotChecksum {
    /// FNV-1a over `bytes`, read in place (a snapshot is tens of MB: not byte by byte
    /// through `Data`'s iterator).
    static func of(_ bytes: Data) -> UInt64 {
        bytes.withUnsafeBytes { raw in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in raw {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
            return hash
        }
    }
}
