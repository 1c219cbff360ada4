import HubProtocol
import SwiftProtobuf
import Testing

/// `CommandScan` reads a command's kind and its headers' ids and seqs in place: what it
/// finds must be what decoding the frame with the generated code finds.
@Suite("CommandScan")
struct CommandScanTests {
    private static let prefix = Array("run7-".utf8)

    private static func header(id: String, seq: UInt64, recipients: [String] = ["bob"]) -> WireHeader {
        var header = WireHeader()
        header.id = id
        header.type = "demo.Note"
        header.sender = "shop"
        header.recipients = recipients
        header.correlationID = "corr-\(id)"
        header.createdAtUs = 1_700_000_000_000_000
        header.journaledAtUs = 1_700_000_000_000_001
        header.seq = seq
        return header
    }

    /// What the generated decoder says: kind, headers, matching ids, last seq.
    private static func decoded(_ frame: [UInt8]) throws -> CommandScan.Kind? {
        switch try WireCommand(serializedBytes: frame).kind {
        case .submit: .submit
        case .deliver: .deliver
        case .deliverBatch: .deliverBatch
        default: .other
        }
    }

    @Test func aDeliverBatchIsCountedAsDecodingItWould() throws {
        var batch = WireDeliverBatch()
        var frame = DeliverBatchFrame()
        for index in 0..<250 {
            let id = index % 3 == 0 ? "other-\(index)" : "run7-\(index)"
            let header = Self.header(id: id, seq: UInt64(index) * 300 + 1)
            batch.headers.append(header)
            batch.bodySizes.append(UInt32(index))
            frame.append(header, recipient: "bob", bodySize: UInt32(index))
        }
        for bytes in [WireProtocol.frame(.deliverBatch(batch)), frame.bytes] {
            let scan = try #require(CommandScan(bytes, idPrefix: Self.prefix))
            #expect(scan.kind == .deliverBatch)
            #expect(scan.headers == 250)
            #expect(scan.matching == batch.headers.count { $0.id.hasPrefix("run7-") })
            #expect(scan.lastSeq == batch.headers.last?.seq)
        }
    }

    @Test func aSubmitADeliverAndOtherCommands() throws {
        var submit = WireSubmit()
        submit.header = Self.header(id: "run7-1", seq: 0)
        var deliver = WireDeliver()
        deliver.header = Self.header(id: "run8-1", seq: 42)
        var ack = WireAck()
        ack.seq = 9
        var welcome = WireWelcome()
        welcome.party = "bob"
        for (kind, expected) in [
            (WireCommand.OneOf_Kind.submit(submit), (CommandScan.Kind.submit, 1, 1, UInt64(0))),
            (.deliver(deliver), (.deliver, 1, 0, 42)),
            (.ack(ack), (.other, 0, 0, 0)),
            (.welcome(welcome), (.other, 0, 0, 0)),
        ] {
            let frame = WireProtocol.frame(kind)
            let scan = try #require(CommandScan(frame, idPrefix: Self.prefix))
            let decoded = try Self.decoded(frame)
            #expect(scan.kind == expected.0 && scan.kind == decoded)
            #expect(scan.headers == expected.1 && scan.matching == expected.2 && scan.lastSeq == expected.3)
        }
    }

    @Test func unknownFieldsAreSkipped() throws {
        // Field 99 as a varint, field 100 as fixed64, field 101 as fixed32, field 102 as bytes.
        let unknown: [UInt8] = [0x98, 0x06, 0x05, 0xA1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0xAD, 0x06, 1, 2, 3, 4, 0xB2, 0x06, 2, 9, 9]
        let known: [UInt8] = try Self.header(id: "run7-x", seq: 77).serializedBytes()
        var deliver = WireDeliver()
        deliver.header = try WireHeader(serializedBytes: known + unknown)
        #expect(!deliver.header.unknownFields.data.isEmpty)
        let frame = WireProtocol.frame(.deliver(deliver)) + [0x98, 0x06, 0x01]
        let scan = try #require(CommandScan(frame, idPrefix: Self.prefix))
        #expect(scan.kind == .deliver && scan.headers == 1 && scan.matching == 1 && scan.lastSeq == 77)
    }

    @Test func malformedFramesAreRefusedAndDamageNeverCrashes() throws {
        var batch = WireDeliverBatch()
        for index in 0..<20 {
            batch.headers.append(Self.header(id: "run7-\(index)", seq: UInt64(index + 1)))
            batch.bodySizes.append(10)
        }
        let frame = WireProtocol.frame(.deliverBatch(batch))
        #expect(CommandScan(Array(frame.dropLast()), idPrefix: Self.prefix) == nil, "cut inside the last header")
        #expect(CommandScan([0xBA, 0x01, 0x05, 0x0A], idPrefix: Self.prefix) == nil, "a length past the end")
        #expect(CommandScan([0x0F], idPrefix: Self.prefix) == nil, "wire type 7")
        #expect(CommandScan(Array(repeating: 0xFF, count: 11), idPrefix: Self.prefix) == nil, "a varint past 64 bits")
        #expect(CommandScan([0x00], idPrefix: Self.prefix) == nil, "field number 0")
        #expect(CommandScan([], idPrefix: Self.prefix) == CommandScan([0x08, 0x02], idPrefix: Self.prefix), "nothing but the version")
        // Every byte changed to every value: an answer or nil, never a trap, never more
        // headers than the frame holds bytes for.
        for offset in frame.indices {
            for value in [UInt8(0x00), 0x7F, 0x80, 0xFF] {
                var damaged = frame
                damaged[offset] = value
                if let scan = CommandScan(damaged, idPrefix: Self.prefix) { #expect(scan.headers <= frame.count) }
            }
        }
    }
}
