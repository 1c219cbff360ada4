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
    }

    /// Fields by name, by fully qualified message name (without a leading dot).
    private var messages: [String: [String: Field]] = [:]

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
            fields[field.name] = Field(name: field.name, number: field.number, messageType: isMessage ? typeName : nil)
        }
        messages[name] = fields
        for nested in message.nestedType { add(nested, prefix: name + ".") }
    }

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
