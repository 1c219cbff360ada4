import HubProtocol
import Testing

/// `DeliverBatchFrame` writes a DELIVER_BATCH's first frame by hand: its bytes must be the
/// generated encoder's, byte for byte, whatever the headers hold.
@Suite("DeliverBatchFrame")
struct DeliverBatchFrameTests {
    /// The generated encoder's frame for the same entries: each header addressed to `recipient` alone.
    private static func expected(_ entries: [Entry]) -> [UInt8] {
        var batch = WireDeliverBatch()
        for entry in entries {
            var header = entry.header
            header.recipients = [entry.recipient]
            batch.headers.append(header)
            batch.bodySizes.append(entry.size)
        }
        return WireProtocol.frame(.deliverBatch(batch))
    }

    private static func written(_ entries: [Entry]) -> [UInt8] {
        var frame = DeliverBatchFrame()
        for entry in entries { frame.append(entry.header, recipient: entry.recipient, bodySize: entry.size) }
        return frame.bytes
    }

    /// The same entries written from each header's shared bytes (`SharedDeliveryHeader`), as
    /// a fan-out writes them.
    private static func writtenShared(_ entries: [Entry]) -> [UInt8] {
        var frame = DeliverBatchFrame()
        for entry in entries { frame.append(SharedDeliveryHeader(entry.header), recipient: entry.recipient, bodySize: entry.size) }
        return frame.bytes
    }

    private static func header(
        id: String, type: String = "demo.Note", sender: String = "shop", recipients: [String] = [], correlation: String = "",
        created: Int64 = 0, journaled: Int64 = 0, seq: UInt64 = 0
    ) -> WireHeader {
        var header = WireHeader()
        header.id = id
        header.type = type
        header.sender = sender
        header.recipients = recipients
        header.correlationID = correlation
        header.createdAtUs = created
        header.journaledAtUs = journaled
        header.seq = seq
        return header
    }

    typealias Entry = (header: WireHeader, recipient: String, size: UInt32)

    /// Many entries, as a batch of a fan-out holds them.
    private static func many() -> [Entry] {
        var entries: [Entry] = []
        for index in 0..<300 {
            let header = Self.header(id: "id-\(index)", journaled: Int64(index), seq: UInt64(index) * 977)
            entries.append((header, "party-\(index % 5)", UInt32(index * 37)))
        }
        return entries
    }

    @Test func sameBytesAsTheGeneratedEncoder() {
        let long = String(repeating: "x", count: 200)
        let longer = String(repeating: "é", count: 9000)
        let full = Self.header(
            id: "m-2", recipients: ["a", "b", "c"], correlation: "c-1", created: 1_700_000_000_000_000,
            journaled: 1_700_000_000_000_123, seq: 300)
        let extremes = Self.header(
            id: long, type: "ceb.Order", sender: "平台", created: -5, journaled: Int64.max, seq: UInt64.max)
        let unicode = Self.header(id: longer, correlation: longer, seq: 127)
        var cases: [[Entry]] = []
        cases.append([(Self.header(id: "m-1", seq: 1), "bank", 0)])
        cases.append([(WireHeader(), "", 0)])
        cases.append([(full, "customs", 1024)])
        cases.append([(extremes, long, UInt32.max)])
        cases.append([(unicode, "收件人", 128)])
        cases.append(Self.many())
        var same = true
        var sameShared = true
        for entries in cases {
            let expected = Self.expected(entries)
            if Self.written(entries) != expected { same = false }
            if Self.writtenShared(entries) != expected { sameShared = false }
        }
        #expect(same)
        #expect(sameShared, "written from the shared header bytes")
    }

    /// A single DELIVER's first frame, from the header and from its shared bytes, is the
    /// generated encoder's, for the same headers as the batches above.
    @Test func singleDeliverIsTheGeneratedEncodersToo() throws {
        var source = Self.header(id: "m-9", seq: 9)
        source.recipients = ["bank"]
        let withUnknown = try WireHeader(serializedBytes: try source.serializedBytes() + [0x98, 0x06, 0x05])
        let long = String(repeating: "x", count: 200)
        var entries: [Entry] = Self.many()
        entries.append((WireHeader(), "", 0))
        entries.append(
            (Self.header(id: long, type: "ceb.Order", sender: "平台", created: -5, journaled: Int64.max, seq: UInt64.max), long, 0))
        entries.append((Self.header(id: String(repeating: "é", count: 9000), correlation: "c", seq: 127), "收件人", 0))
        entries.append((withUnknown, "bank", 0))
        var mismatches: [String] = []
        for entry in entries {
            var header = entry.header
            header.recipients = [entry.recipient]
            var deliver = WireDeliver()
            deliver.header = header
            let expected = WireProtocol.frame(.deliver(deliver))
            if DeliverBatchFrame.deliver(entry.header, recipient: entry.recipient) != expected { mismatches.append(entry.header.id) }
            if DeliverBatchFrame.deliver(SharedDeliveryHeader(entry.header), recipient: entry.recipient) != expected {
                mismatches.append("shared " + entry.header.id)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.map { $0.prefix(20) })")
    }

    @Test func aHeadersUnknownFieldsAreKeptLastAsTheGeneratedEncoderDoes() throws {
        var source = Self.header(id: "m-9", seq: 9)
        source.recipients = ["bank"]
        // Field 99, varint 5: a field of a later protocol version the hub passes through.
        let bytes: [UInt8] = try source.serializedBytes() + [0x98, 0x06, 0x05]
        let header = try WireHeader(serializedBytes: bytes)
        let entries: [Entry] = [(header, "bank", 3)]
        let same = Self.written(entries) == Self.expected(entries)
        #expect(same)
        let sameShared = Self.writtenShared(entries) == Self.expected(entries)
        #expect(sameShared)
    }

    @Test func decodesToTheEntriesAndEmptiesForReuse() throws {
        var frame = DeliverBatchFrame()
        frame.append(Self.header(id: "old", seq: 1), recipient: "x", bodySize: 1)
        frame.removeAll()
        #expect(frame.count == 0)
        frame.append(Self.header(id: "m-1", recipients: ["a", "b"], seq: 5), recipient: "b", bodySize: 7)
        frame.append(Self.header(id: "m-2", seq: 6), recipient: "b", bodySize: 0)
        let command = try WireCommand(serializedBytes: frame.bytes)
        #expect(command.version == WireProtocol.batchVersion)
        guard case .deliverBatch(let batch)? = command.kind else {
            Issue.record("expected a DELIVER_BATCH")
            return
        }
        #expect(batch.headers.map(\.id) == ["m-1", "m-2"])
        #expect(batch.headers.map(\.recipients) == [["b"], ["b"]])
        #expect(batch.headers.map(\.seq) == [5, 6])
        #expect(batch.bodySizes == [7, 0])
    }
}
