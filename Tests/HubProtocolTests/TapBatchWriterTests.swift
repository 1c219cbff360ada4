import Foundation
import HubProtocol
import SwiftProtobuf
import Testing

@Suite("TapBatchWriter")
struct TapBatchWriterTests {
    /// Copies with and without a body, with a body long enough for a two-byte length, and a
    /// batch with and without drops: the writer's bytes are swift-protobuf's, byte for byte.
    @Test(arguments: [0, 1, 300])
    func writesWhatSwiftProtobufEncodes(dropped: UInt64) throws {
        var expected = WireTapBatch()
        var writer = TapBatchWriter()
        for (index, body) in [[], [1, 2, 3], [UInt8](repeating: 7, count: 200)].enumerated() {
            var copy = WireTapCopy()
            copy.topic = "auditor/demo.Note/platform/customs\(index)"
            copy.header = WireFixtures.header
            copy.header.seq = UInt64(index) + 1
            copy.body = Data(body)
            expected.copies.append(copy)
            let headerBytes: [UInt8] = try copy.header.serializedBytes()
            body.withUnsafeBytes { writer.append(topic: Array(copy.topic.utf8), headerBytes: headerBytes, body: $0) }
        }
        expected.dropped = dropped
        #expect(writer.copies == 3)
        writer.seal(dropped: dropped)
        let bytes = writer.bytes
        #expect(bytes == (try expected.serializedBytes()))
        #expect(try WireTapBatch(serializedBytes: bytes) == expected)
        let summary = try bytes.withUnsafeBytes { try TapBatchWriter.summary(of: $0) }
        #expect(summary.copies == 3 && summary.dropped == dropped)
        // The writer starts over.
        writer.reset()
        writer.seal(dropped: 0)
        #expect(writer.copies == 0 && writer.bytes.isEmpty)
    }

    @Test func summaryRefusesMalformedBatches() throws {
        var writer = TapBatchWriter()
        [UInt8](repeating: 1, count: 10).withUnsafeBytes { writer.append(topic: Array("a/b/c/d".utf8), headerBytes: [], body: $0) }
        writer.seal(dropped: 5)
        let bytes = writer.bytes
        for cut in [1, 5, bytes.count - 1] {
            #expect(throws: BinaryDecodingError.self) {
                try Array(bytes.prefix(cut)).withUnsafeBytes { try TapBatchWriter.summary(of: $0) }
            }
        }
        // An unknown field is skipped, as protobuf readers must.
        let extended = bytes + [0x18, 0x2A]
        let summary = try extended.withUnsafeBytes { try TapBatchWriter.summary(of: $0) }
        #expect(summary.copies == 1 && summary.dropped == 5)
        // Wire types 3 and 4 (groups) are not TapBatch's.
        #expect(throws: BinaryDecodingError.self) { try [UInt8]([0x0B]).withUnsafeBytes { try TapBatchWriter.summary(of: $0) } }
    }
}
