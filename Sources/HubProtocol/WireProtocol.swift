import SwiftProtobuf

/// Constants and frame builders of the wire protocol (`Schemas/PROTOCOL.md`).
public enum WireProtocol {
    /// The protocol version of every command of version 1, which the hub sends on every frame
    /// set but the batch commands.
    public static let version: UInt32 = 1
    /// The version that adds the batch commands (PROTOCOL.md section 16), and the highest
    /// this build speaks.
    public static let batchVersion: UInt32 = 2
    /// Longest accepted message id, in UTF-8 bytes.
    public static let maxIdBytes = 128
    /// The most entries one SUBMIT_BATCH may carry, and one DELIVER_BATCH carries.
    public static let maxBatchEntries = 1000

    /// Whether a client command's `version` is one this build speaks (1 or 2).
    ///
    /// - Parameters:
    ///   - version: The command's version.
    /// - Returns: True for 1 and 2.
    public static func speaks(_ version: UInt32) -> Bool {
        version == Self.version || version == batchVersion
    }

    /// The largest bodies frame of a SUBMIT_BATCH (and, unless one body alone is larger, of
    /// a DELIVER_BATCH): 1 MiB, or `maxBodyBytes` when that is larger. So a frame set weighs
    /// no more than the largest SUBMIT, and what the hub's receive high-water mark lets one
    /// connection park in its memory stays as bounded as without batches.
    ///
    /// - Parameters:
    ///   - maxBodyBytes: The hub's largest body.
    /// - Returns: The limit in bytes.
    public static func maxBatchBytes(maxBodyBytes: Int) -> Int {
        max(1 << 20, maxBodyBytes)
    }

    /// The version the hub sends a command with: 2 for the batch commands, 1 for the others
    /// (so a version-1 client only ever sees version 1).
    ///
    /// - Parameters:
    ///   - kind: The command.
    /// - Returns: Its version.
    public static func version(of kind: WireCommand.OneOf_Kind) -> UInt32 {
        switch kind {
        case .submitBatch, .acceptedBatch, .deliverBatch: batchVersion
        default: version
        }
    }

    /// A command with its version set (`version(of:)`).
    public static func command(_ kind: WireCommand.OneOf_Kind) -> WireCommand {
        var command = WireCommand()
        command.version = version(of: kind)
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
        .error(errorMessage(code, reason: reason, id: id))
    }

    /// The `Error` message for `code`, with a reason and the refused message id if known.
    public static func errorMessage(_ code: HubErrorCode, reason: String, id: String = "") -> WireError {
        var error = WireError()
        error.code = code.rawValue
        error.name = code.name
        error.reason = reason
        error.id = id
        return error
    }
}
