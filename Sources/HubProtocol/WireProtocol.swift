import SwiftProtobuf

/// Constants and frame builders of the wire protocol (`Schemas/PROTOCOL.md`).
public enum WireProtocol {
    /// The protocol version this build speaks, carried in every `WireCommand.version`.
    public static let version: UInt32 = 1
    /// Longest accepted message id, in UTF-8 bytes.
    public static let maxIdBytes = 128

    /// A command with the current version set.
    public static func command(_ kind: WireCommand.OneOf_Kind) -> WireCommand {
        var command = WireCommand()
        command.version = version
        command.kind = kind
        return command
    }

    /// The serialized first frame for `kind`.
    public static func frame(_ kind: WireCommand.OneOf_Kind) -> [UInt8] {
        // Serializing a message made only of known fields cannot fail.
        (try? command(kind).serializedBytes()) ?? []
    }

    /// An ERROR command for `code`, with a reason and the refused message id if known.
    public static func error(_ code: HubErrorCode, reason: String, id: String = "") -> WireCommand.OneOf_Kind {
        var error = WireError()
        error.code = code.rawValue
        error.name = code.name
        error.reason = reason
        error.id = id
        return .error(error)
    }
}
