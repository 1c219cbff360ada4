import HubProtocol
import SwiftProtobuf

/// The business messages a department received and keeps to answer queries: the most
/// recent `capacity` of them, oldest first, each as the bytes delivered (already redacted
/// to the department by the hub). Selection compares the query's criteria with the
/// messages' fields by their proto names, through ProtoJSON.
public struct KeptRecords: Sendable {
    /// One kept message.
    public struct Record: Sendable, Equatable {
        /// The hub message type, e.g. `"flow.ReleaseNotice"`.
        public var type: String
        /// The protobuf-serialized body.
        public var body: [UInt8]

        public init(type: String, body: [UInt8]) {
            self.type = type
            self.body = body
        }
    }

    /// The most records kept; older ones are dropped first.
    public let capacity: Int
    private var storage: [Record] = []
    /// Where the next record goes once `storage` is full (the oldest record's slot).
    private var next = 0

    /// - Parameter capacity: the most records kept (at least 1).
    public init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// How many records are kept.
    public var count: Int { storage.count }

    /// Every kept record, oldest first.
    public var records: [Record] {
        storage.count < capacity ? storage : Array(storage[next...] + storage[..<next])
    }

    /// Keeps a record, dropping the oldest one when full.
    public mutating func append(_ record: Record) {
        if storage.count < capacity {
            storage.append(record)
        } else {
            storage[next] = record
            next = (next + 1) % capacity
        }
    }

    /// The records of `type` whose fields equal every criterion, oldest first.
    ///
    /// A criterion's key is a proto field name, dotted into nested messages
    /// (`inventory_list.gcode`); a repeated field matches when one of its elements does.
    /// Values compare as ProtoJSON writes them: strings as they are, numbers in decimal,
    /// booleans `true`/`false`, enums by name (`DECISION_ACCEPTED`). An unset field (at its
    /// proto3 default) reads as `""`, `"0"` and `"false"`; so does a name the message does
    /// not have, which therefore matches only those.
    public func matching(type: String, criteria: [String: String]) -> [Record] {
        guard let messageType = BusinessTypes.message(for: type) else { return [] }
        return records.filter { record in
            guard record.type == type else { return false }
            if criteria.isEmpty { return true }
            guard let fields = Self.fields(of: record.body, as: messageType) else { return false }
            return criteria.allSatisfy { key, wanted in
                Self.values(at: key.split(separator: ".").map(String.init), in: .structValue(fields)).contains(wanted)
            }
        }
    }

    /// The body reduced to the named top-level fields (proto names); the body unchanged
    /// when `fields` is empty or the body cannot be read.
    public static func project(_ body: [UInt8], type: String, fields: [String]) -> [UInt8] {
        guard !fields.isEmpty, let messageType = BusinessTypes.message(for: type) else { return body }
        return project(body, as: messageType, fields: Set(fields)) ?? body
    }

    private static func project<M: SwiftProtobuf.Message>(_ body: [UInt8], as _: M.Type, fields: Set<String>) -> [UInt8]? {
        guard var object = Self.fields(of: body, as: M.self) else { return nil }
        object.fields = object.fields.filter { fields.contains($0.key) }
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        guard let json: [UInt8] = try? object.jsonUTF8Bytes(),
            let message = try? M(jsonUTF8Bytes: json, options: options)
        else { return nil }
        return try? message.serializedBytes()
    }

    /// The message's fields as a ProtoJSON object with proto field names (fields at their
    /// default value are left out, as ProtoJSON does), or nil when the body is not `M`.
    static func fields<M: SwiftProtobuf.Message>(of body: [UInt8], as _: M.Type) -> Google_Protobuf_Struct? {
        guard let message = try? M(serializedBytes: body) else { return nil }
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        guard let json: [UInt8] = try? message.jsonUTF8Bytes(options: options) else { return nil }
        return try? Google_Protobuf_Struct(jsonUTF8Bytes: json)
    }

    /// The values found at `path` under `value`, as strings; a list contributes each of
    /// its elements.
    private static func values(at path: [String], in value: Google_Protobuf_Value.OneOf_Kind?) -> [String] {
        switch value {
        case .listValue(let list):
            return list.values.flatMap { values(at: path, in: $0.kind) }
        case .structValue(let object):
            guard let first = path.first else { return [] }
            // ProtoJSON leaves out fields at their default value.
            guard let field = object.fields[first] else { return unset }
            return values(at: Array(path.dropFirst()), in: field.kind)
        case .stringValue(let text):
            return path.isEmpty ? [text] : []
        case .numberValue(let number):
            guard path.isEmpty else { return [] }
            let integral = number.rounded() == number && abs(number) < 1e15
            return [integral ? String(Int64(number)) : String(number)]
        case .boolValue(let flag):
            return path.isEmpty ? [flag ? "true" : "false"] : []
        case .nullValue, .none:
            return []
        }
    }

    /// How an unset field reads: the proto3 defaults of strings, numbers and booleans.
    private static let unset = ["", "0", "false"]
}

/// The hub message types of `Schemas/business.proto` and their generated messages.
public enum BusinessTypes {
    /// The generated message of a hub message type, or nil for types outside the schema.
    public static func message(for type: String) -> (any SwiftProtobuf.Message.Type)? {
        switch type {
        case MessageType.registration: BizRegistration.self
        case MessageType.registrationResult: BizRegistrationResult.self
        case MessageType.order: BizOrder.self
        case MessageType.payment: BizPayment.self
        case MessageType.waybill: BizWaybill.self
        case MessageType.inventory: BizInventory.self
        case MessageType.receipt: BizReceipt.self
        case MessageType.summaryDeclaration: BizSummaryDeclaration.self
        case MessageType.summaryResult: BizSummaryResult.self
        case MessageType.releaseNotice: BizReleaseNotice.self
        case MessageType.query: BizQuery.self
        case MessageType.answer: BizAnswer.self
        case MessageType.creditNotice: BizCreditNotice.self
        case MessageType.feedback: BizFeedback.self
        case MessageType.summaryRequest: BizSummaryRequest.self
        default: nil
        }
    }
}
