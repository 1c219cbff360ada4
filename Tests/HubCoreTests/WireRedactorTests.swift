import HubCore
import HubProtocol
import SwiftProtobuf
import Testing

@Suite("Wire-level redaction")
struct WireRedactorTests {
    private func header() -> WireHeader {
        var header = WireHeader()
        header.id = "order-1"
        header.type = "ceb.Order"
        header.sender = "platform"
        header.recipients = ["customs", "tax", "bank"]
        header.correlationID = "corr"
        header.createdAtUs = 1_700_000_000_000_000
        header.seq = 42
        return header
    }

    @Test func dropsATopLevelFieldAndKeepsTheRest() throws {
        let original = header()
        let redacted = try WireRedactor(paths: [[3]]).redact(try original.serializedBytes())
        var expected = original
        expected.sender = ""
        #expect(try WireHeader(serializedBytes: redacted) == expected)
    }

    @Test func dropsEveryElementOfARepeatedField() throws {
        let redacted = try WireRedactor(paths: [[4]]).redact(try header().serializedBytes())
        let decoded = try WireHeader(serializedBytes: redacted)
        #expect(decoded.recipients.isEmpty)
        #expect(decoded.id == "order-1")
    }

    @Test func descendsIntoNestedMessages() throws {
        var submit = WireSubmit()
        submit.header = header()
        let command = WireProtocol.command(.submit(submit))
        // Command.submit (12) → Submit.header (1) → Header.sender (3), and Header.seq (8)
        let redacted = try WireRedactor(paths: [[12, 1, 3], [12, 1, 8]]).redact(try command.serializedBytes())
        var expected = command
        if case .submit(var inner) = expected.kind {
            inner.header.sender = ""
            inner.header.seq = 0
            expected.kind = .submit(inner)
        }
        #expect(try WireCommand(serializedBytes: redacted) == expected)
    }

    @Test func descendsIntoEveryElementOfARepeatedMessage() throws {
        var set = Google_Protobuf_FileDescriptorSet()
        for name in ["a.proto", "b.proto"] {
            var file = Google_Protobuf_FileDescriptorProto()
            file.name = name
            file.package = "pkg"
            set.file.append(file)
        }
        // FileDescriptorSet.file (1) → FileDescriptorProto.name (1)
        let redacted = try WireRedactor(paths: [[1, 1]]).redact(try set.serializedBytes())
        let decoded = try Google_Protobuf_FileDescriptorSet(serializedBytes: redacted)
        #expect(decoded.file.count == 2)
        #expect(decoded.file.allSatisfy { !$0.hasName && $0.package == "pkg" })
    }

    @Test func keepsUnknownFieldsByteForByte() throws {
        var bytes: [UInt8] = try header().serializedBytes()
        let unknown: [UInt8] = [0x98, 0x06, 0x07]  // field 99, varint 7
        bytes += unknown
        let redacted = try WireRedactor(paths: [[3]]).redact(bytes)
        #expect(Array(redacted.suffix(3)) == unknown)
    }

    @Test func anEmptyRedactorChangesNothing() throws {
        let bytes: [UInt8] = try header().serializedBytes()
        #expect(try WireRedactor(paths: []).redact(bytes) == bytes)
        #expect(WireRedactor(paths: [[]]).isEmpty)
    }

    @Test func aShorterPathWinsOverALongerOne() throws {
        #expect(WireRedactor(paths: [[12, 1, 3], [12]]) == WireRedactor(paths: [[12]]))
        #expect(WireRedactor(paths: [[12], [12, 1, 3]]) == WireRedactor(paths: [[12]]))
    }

    @Test(
        arguments: [
            [0x0A, 0x05, 0x61],  // length 5, one byte present
            [0x80],  // truncated key
            [0x0B],  // wire type 3 (group start)
            [0x0D, 0x01, 0x02],  // fixed32 with 2 bytes
            [0x00, 0x01],  // field number 0
        ] as [[UInt8]])
    func malformedBytesAreRefused(bytes: [UInt8]) {
        #expect(throws: WireFormatError.self) { try WireRedactor(paths: [[1]]).redact(bytes) }
    }

    @Test func matchesClearingTheFieldsOnManyMessages() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var header = WireHeader()
            header.id = String(UInt64.random(in: 0...UInt64.max, using: &generator))
            header.recipients = (0..<Int.random(in: 0...5, using: &generator)).map { "p\($0)" }
            header.sender = Bool.random(using: &generator) ? "s" : ""
            header.seq = UInt64.random(in: 0...UInt64.max, using: &generator)
            header.createdAtUs = Int64.random(in: Int64.min...Int64.max, using: &generator)
            let redacted = try WireRedactor(paths: [[4], [8]]).redact(try header.serializedBytes())
            var expected = header
            expected.recipients = []
            expected.seq = 0
            #expect(try WireHeader(serializedBytes: redacted) == expected)
        }
    }
}
