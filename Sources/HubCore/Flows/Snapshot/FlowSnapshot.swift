import Foundation

/// The flows' state (``FlowEngine``) at a point of the journal, as a value to keep and
/// restore from: a hub taking over the flows loads the last snapshot
/// (``FlowEngine/init(config:policy:snapshot:)``) and reads only the journal after
/// ``seq``, and then emits what an engine fed the whole journal would.
///
/// Encoded (``encoded()``) as two lines of JSON: a header with the format, its version,
/// the seq, the engine's clock, and the length and FNV-1a checksum of the second line,
/// which holds the state. Keys are sorted and sets are written sorted, so the same state
/// always gives the same bytes. Decoding (``init(decoding:)``) refuses another format, a
/// version this build does not know, and bytes that are damaged, with a
/// ``FlowSnapshotError``.
public struct FlowSnapshot: Sendable {
    /// The format's name in the header.
    public static let format = "swhub-flows-snapshot"
    /// The version this build writes and the only one it reads (2: finished flows left
    /// the state, ``FlowEngine`` keeps traces of them instead).
    public static let version = 2

    /// The last journal seq the engine had read: restored, it reads on after it. A caller
    /// that has handed the engine every flow message up to a higher seq (the others
    /// being of no concern to the flows) may raise it.
    public var seq: UInt64
    /// Emissions of the engine the journal did not yet hold when the snapshot was taken
    /// (as the caller of ``FlowEngine/snapshot(owed:)`` said). The engine does not ask
    /// for them again: whoever restores emits those the journal still lacks (emitting one
    /// again is harmless, the journal deduplicates ids).
    public var owed: [FlowEmission]
    let state: FlowEngine.State

    init(seq: UInt64, state: FlowEngine.State, owed: [FlowEmission]) {
        self.seq = seq
        self.state = state
        self.owed = owed
    }

    /// The engine's clock when the snapshot was taken, µs since the epoch.
    public var nowUs: Int64 { state.nowUs }

    private struct Header: Codable {
        var format: String
        var version: Int
        var seq: UInt64?
        var nowUs: Int64?
        var length: Int?
        var checksum: String?
    }

    private struct Body: Codable {
        var state: FlowEngine.State
        var owed: [FlowEmission]
    }

    private static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The snapshot's bytes (see the type's description).
    public func encoded() -> [UInt8] {
        let encoder = Self.encoder()
        do {
            let body = try encoder.encode(Body(state: state, owed: owed))
            let header = Header(
                format: Self.format, version: Self.version, seq: seq, nowUs: state.nowUs, length: body.count,
                checksum: Self.checksum(body))
            var bytes = [UInt8](try encoder.encode(header))
            bytes.append(UInt8(ascii: "\n"))
            bytes.append(contentsOf: body)
            return bytes
        } catch {
            // Strings, integers and bytes only: JSONEncoder has nothing to refuse.
            preconditionFailure("the flows' state could not be encoded: \(error)")
        }
    }

    /// The snapshot of `bytes` written by ``encoded()``.
    ///
    /// - Parameter bytes: A snapshot's bytes.
    /// - Throws: ``FlowSnapshotError`` with `.notASnapshot`, `.unknownVersion` or `.damaged`.
    public init(decoding bytes: [UInt8]) throws {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            throw FlowSnapshotError(.notASnapshot, "no header line in \(bytes.count) bytes")
        }
        let decoder = JSONDecoder()
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: Data(bytes[..<newline]))
        } catch {
            throw FlowSnapshotError(.notASnapshot, "the header line is not a snapshot header: \(error)")
        }
        guard header.format == Self.format else {
            throw FlowSnapshotError(.notASnapshot, "the format is '\(header.format)', not '\(Self.format)'")
        }
        guard header.version == Self.version else {
            throw FlowSnapshotError(
                .unknownVersion, "the snapshot is of version \(header.version); this build reads version \(Self.version) only")
        }
        let body = Data(bytes[(newline + 1)...])
        guard let seq = header.seq, let length = header.length, let checksum = header.checksum else {
            throw FlowSnapshotError(.damaged, "the header lacks seq, length or checksum")
        }
        guard body.count == length else {
            throw FlowSnapshotError(.damaged, "the state has \(body.count) bytes; the header says \(length)")
        }
        guard Self.checksum(body) == checksum else {
            throw FlowSnapshotError(.damaged, "the state's checksum is \(Self.checksum(body)); the header says \(checksum)")
        }
        let decoded: Body
        do {
            decoded = try decoder.decode(Body.self, from: body)
        } catch {
            throw FlowSnapshotError(.damaged, "the state cannot be read: \(error)")
        }
        self.init(seq: seq, state: decoded.state, owed: decoded.owed)
    }

    private static func checksum(_ bytes: Data) -> String {
        let value = SnapshotChecksum.of(bytes)
        let hex = String(value, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Why bytes could not be restored as a ``FlowSnapshot``.
public struct FlowSnapshotError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong, as a stable code.
    public enum Code: String, Sendable {
        /// Not a flows snapshot at all (no header, or another format).
        case notASnapshot = "FLOW_SNAPSHOT_FORMAT"
        /// A snapshot of a version this build cannot read (written by a newer one).
        case unknownVersion = "FLOW_SNAPSHOT_VERSION"
        /// A snapshot of this version whose state is cut short, altered or unreadable.
        case damaged = "FLOW_SNAPSHOT_DAMAGED"
    }

    public var code: Code
    /// What exactly, for the log.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
