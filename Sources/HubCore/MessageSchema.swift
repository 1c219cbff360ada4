import HubConfigKit
import SwiftProtobuf

/// The shape of the protobuf messages the hub knows, read from a serialized
/// `FileDescriptorSet` (made by `protoc --descriptor_set_out` from `Schemas/*.proto`).
/// Turns dotted field paths such as `"items.gname"` into field-number paths, so policies
/// can name fields as the schema does and the redactor can work on the wire format.
public struct MessageSchema: Sendable {
    /// One field of a message.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var number: Int32
        /// The fully qualified message type (`"swhub.v1.OrderItem"`) of a message field, else nil.
        public var messageType: String?
        /// How its values are written on the wire.
        public var encoding: Encoding = .varint
        /// Whether the field is repeated (a repeated number may also come packed).
        public var repeated = false
    }

    /// How a field's values are written on the wire, by its declared type.
    public enum Encoding: Sendable, Equatable {
        /// Wire type 0: the integer types, `bool`, enums.
        case varint
        /// Wire type 1: `fixed64`, `sfixed64`, `double`.
        case fixed64
        /// Wire type 5: `fixed32`, `sfixed32`, `float`.
        case fixed32
        /// Wire type 2, UTF-8 text.
        case string
        /// Wire type 2, any bytes.
        case bytes
        /// Wire type 2, a message of ``Field/messageType``.
        case message
        /// A proto2 group, which the hub's schemas never declare.
        case group
    }

    /// Fields by name, by fully qualified message name (without a leading dot).
    private var messages: [String: [String: Field]] = [:]
    /// Fields by number, by fully qualified message name.
    private var numbered: [String: [Int32: Field]] = [:]

    /// Reads a serialized `google.protobuf.FileDescriptorSet`.
    public init(descriptorSet bytes: [UInt8]) throws {
        let set = try Google_Protobuf_FileDescriptorSet(serializedBytes: bytes)
        for file in set.file {
            let prefix = file.package.isEmpty ? "" : file.package + "."
            for message in file.messageType { add(message, prefix: prefix) }
        }
    }

    private mutating func add(_ message: Google_Protobuf_DescriptorProto, prefix: String) {
        let name = prefix + message.name
        var fields: [String: Field] = [:]
        for field in message.field {
            let isMessage = field.type == .message
            let typeName = field.typeName.hasPrefix(".") ? String(field.typeName.dropFirst()) : field.typeName
            fields[field.name] = Field(
                name: field.name, number: field.number, messageType: isMessage ? typeName : nil, encoding: Self.encoding(of: field.type),
                repeated: field.label == .repeated)
        }
        messages[name] = fields
        numbered[name] = Dictionary(fields.values.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        for nested in message.nestedType { add(nested, prefix: name + ".") }
    }

    private static func encoding(of type: Google_Protobuf_FieldDescriptorProto.TypeEnum) -> Encoding {
        switch type {
        case .double, .fixed64, .sfixed64: .fixed64
        case .float, .fixed32, .sfixed32: .fixed32
        case .string: .string
        case .bytes: .bytes
        case .message: .message
        case .group: .group
        default: .varint
        }
    }

    /// The field numbered `number` of `message`, if it has one.
    public func field(_ number: Int32, of message: String) -> Field? { numbered[message]?[number] }

    /// The fields of `message` by number, nil for a message the schema does not know.
    public func fieldsByNumber(of message: String) -> [Int32: Field]? { numbered[message] }

    /// Whether `message` (fully qualified, e.g. `"swhub.v1.Header"`) is known.
    public func knows(message: String) -> Bool { messages[message] != nil }

    /// The fields of `message`, by name.
    public func fields(of message: String) -> [String: Field]? { messages[message] }

    /// Resolves a dotted path of field names (`"consignee"`, `"items.gname"`) inside
    /// `message` to field numbers; every step but the last must be a message field.
    public func resolve(_ path: String, in message: String) throws -> [Int32] {
        var current = message
        var numbers: [Int32] = []
        let steps = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        for (index, step) in steps.enumerated() {
            guard let fields = messages[current] else {
                throw ConfigError(.unknownReference, "message type '\(current)' is not in the schema")
            }
            guard let field = fields[step] else {
                throw ConfigError(.unknownReference, "'\(message)' has no field '\(steps[...index].joined(separator: "."))'")
            }
            numbers.append(field.number)
            if index < steps.count - 1 {
                guard let next = field.messageType else {
                    throw ConfigError(
                        .invalidValue,
                        "'\(steps[...index].joined(separator: "."))' in '\(message)' is not a message, so '\(path)' goes nowhere")
                }
                current = next
            }
        }
        return numbers
    }
}
