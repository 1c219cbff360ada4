import Foundation
import HubProtocol
import SwiftProtobuf
import Testing

/// Every message of `Schemas/hub.proto` survives serialize → deserialize unchanged, with all
/// of its fields set; and the fixtures really cover every message and field of the schema.
@Suite("Wire messages round trip")
struct WireMessagesRoundTripTests {
    /// Serializes and parses back.
    private func roundTrip<M: SwiftProtobuf.Message & Equatable>(_ message: M) throws -> M {
        let bytes: [UInt8] = try message.serializedBytes()
        #expect(!bytes.isEmpty, "a message with non-default fields serializes to something")
        return try M(serializedBytes: bytes)
    }

    private func expectRoundTrip<M: SwiftProtobuf.Message & Equatable>(
        _ message: M, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(message != M(), "fixture must not be the default message", sourceLocation: sourceLocation)
        let decoded = try roundTrip(message)
        #expect(decoded == message, sourceLocation: sourceLocation)
    }

    @Test func header() throws { try expectRoundTrip(WireFixtures.header) }
    @Test func hello() throws { try expectRoundTrip(WireFixtures.hello) }
    @Test func welcome() throws { try expectRoundTrip(WireFixtures.welcome) }
    @Test func submit() throws { try expectRoundTrip(WireFixtures.submit) }
    @Test func accepted() throws { try expectRoundTrip(WireFixtures.accepted) }
    @Test func error() throws { try expectRoundTrip(WireFixtures.error) }
    @Test func deliver() throws { try expectRoundTrip(WireFixtures.deliver) }
    @Test func ack() throws { try expectRoundTrip(WireFixtures.ack) }
    @Test func ping() throws { try expectRoundTrip(WireFixtures.ping) }
    @Test func pong() throws { try expectRoundTrip(WireFixtures.pong) }

    @Test func headerFieldsSurviveIndividually() throws {
        let decoded = try roundTrip(WireFixtures.header)
        #expect(decoded.id == "order-2024-000123")
        #expect(decoded.type == "ceb.Order")
        #expect(decoded.sender == "enterprise")
        #expect(decoded.recipients == ["customs", "tax", "bank"])
        #expect(decoded.correlationID == "query-7")
        #expect(decoded.createdAtUs == -1_700_000_000_123_456)
        #expect(decoded.journaledAtUs == 1_700_000_000_654_321)
        #expect(decoded.seq == UInt64.max - 3)
    }

    @Test func submitAndDeliverKeepTheirHeader() throws {
        #expect(try roundTrip(WireFixtures.submit).hasHeader)
        #expect(try roundTrip(WireFixtures.submit).header == WireFixtures.header)
        #expect(try roundTrip(WireFixtures.deliver).hasHeader)
        #expect(try roundTrip(WireFixtures.deliver).header == WireFixtures.header)
    }

    @Test(arguments: WireFixtures.allKinds.map(KindArgument.init))
    func commandWrapping(_ argument: KindArgument) throws {
        var command = WireCommand()
        command.version = 7  // non-default and not the current version: carried as is
        command.kind = argument.kind
        let decoded = try roundTrip(command)
        #expect(decoded == command)
        #expect(decoded.version == 7)
        let kind = try #require(decoded.kind)
        #expect(kind == argument.kind)
        #expect(kind.name == argument.kind.name)
    }

    @Test func commandKindsAreDistinctOnTheWire() throws {
        let frames = try WireFixtures.allKinds.map { kind -> [UInt8] in
            var command = WireCommand()
            command.version = 1
            command.kind = kind
            return try command.serializedBytes()
        }
        #expect(Set(frames).count == frames.count)
    }

    @Test func commandWithoutKindRoundTrips() throws {
        var command = WireCommand()
        command.version = 1
        let decoded = try roundTrip(command)
        #expect(decoded.version == 1)
        #expect(decoded.kind == nil)
    }

    /// PROTOCOL.md §9: a kind unknown to this build reads as "none set" (field 99, empty message).
    @Test func unknownCommandKindReadsAsNone() throws {
        let bytes: [UInt8] = [0x08, 0x01, 0x9A, 0x06, 0x00]  // version = 1; field 99, length 0
        let decoded = try WireCommand(serializedBytes: bytes)
        #expect(decoded.version == 1)
        #expect(decoded.kind == nil)
    }

    @Test func garbageIsNotACommand() {
        #expect(throws: (any Error).self) { try WireCommand(serializedBytes: [0xFF, 0xFF, 0xFF, 0xFF]) }
    }

    // MARK: - coverage of the schema

    /// Every message of hub.proto has a fixture here, and each fixture sets every field the
    /// schema declares (proto3 JSON omits default values, so a missing key means a field left
    /// at its default, i.e. untested by the round trip).
    @Test func fixturesCoverEveryMessageAndField() throws {
        let schema = try ProtoSchema.load()
        let fixtures: [String: any SwiftProtobuf.Message] = [
            "Header": WireFixtures.header, "Hello": WireFixtures.hello, "Welcome": WireFixtures.welcome,
            "Submit": WireFixtures.submit, "Accepted": WireFixtures.accepted, "Error": WireFixtures.error,
            "Deliver": WireFixtures.deliver, "Ack": WireFixtures.ack, "Ping": WireFixtures.ping,
            "Pong": WireFixtures.pong, "Replay": WireFixtures.replay, "ReplayStatus": WireFixtures.replayStatus,
            "JournalEntry": WireFixtures.journalEntry, "TapBatch": WireFixtures.tapBatch, "TapCopy": WireFixtures.tapCopy,
            "SubmitBatch": WireFixtures.submitBatch, "AcceptedBatch": WireFixtures.acceptedBatch,
            "BatchResult": WireFixtures.batchResult, "DeliverBatch": WireFixtures.deliverBatch,
        ]
        #expect(Set(schema.messages.keys) == Set(fixtures.keys).union(["Command"]))
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        for (name, fields) in schema.messages where name != "Command" {
            let message = try #require(fixtures[name], "no fixture for message \(name)")
            let json = try message.jsonString(options: options)
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            if name == "BatchResult" {
                // A oneof: one of its fields set (AcceptedBatch's fixture has the other).
                #expect(object.keys.count == 1 && Set(object.keys).isSubset(of: Set(fields)), "fields of \(name)")
            } else {
                #expect(Set(object.keys) == Set(fields), "fields of \(name) set in its fixture")
            }
        }
    }

    /// Every `oneof kind` field of Command is exercised by `commandWrapping`, and the schema's
    /// field names match the Swift cases.
    @Test func fixturesCoverEveryCommandKind() throws {
        let schema = try ProtoSchema.load()
        let commandFields = try #require(schema.messages["Command"])
        #expect(Set(commandFields) == Set(WireFixtures.allKinds.map(\.name)).union(["version"]))
        #expect(WireFixtures.allKinds.count == 14)
    }
}

/// A `Command.kind` as a test argument.
struct KindArgument: Sendable, CustomTestStringConvertible {
    let kind: WireCommand.OneOf_Kind
    var testDescription: String { kind.name }
}

/// The message and field names of `Schemas/hub.proto`, read with a small line parser good
/// enough for that file (one field per line, no nested messages; nested enums' values are
/// skipped).
struct ProtoSchema {
    /// Field names by message name.
    var messages: [String: [String]] = [:]

    static func load() throws -> ProtoSchema {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("Schemas/hub.proto"), encoding: .utf8)
        var schema = ProtoSchema()
        var current: String?
        var inEnum = false
        for rawLine in text.split(separator: "\n") {
            var line = String(rawLine)
            if let comment = line.range(of: "//") { line.removeSubrange(comment.lowerBound...) }
            line = line.trimmingCharacters(in: .whitespaces)
            let words = line.split(whereSeparator: { " ;=".contains($0) }).map(String.init)
            guard let first = words.first else { continue }
            if first == "enum" {
                inEnum = true
            } else if inEnum {
                if first == "}" { inEnum = false }
            } else if first == "message", words.count >= 2 {
                current = words[1]
                schema.messages[words[1]] = []
            } else if let message = current, line.hasSuffix(";"), line.contains("=") {
                // "[repeated] type name = N;"
                let nameIndex = first == "repeated" ? 2 : 1
                if words.count > nameIndex { schema.messages[message, default: []].append(words[nameIndex]) }
            }
        }
        return schema
    }
}
