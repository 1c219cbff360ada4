import HubProtocol
import Testing

@Suite("WireTapInfo.frame")
struct TapInfoFrameTests {
    @Test(arguments: [0, 1, 127, 128, 300, 16_384, UInt64(UInt32.max), UInt64.max])
    func matchesTheGeneratedEncoding(dropped: UInt64) throws {
        var header = WireHeader()
        header.id = "order-" + String(repeating: "x", count: 130)  // a header longer than 127 bytes
        header.type = "ceb.Order"
        header.sender = "enterprise"
        header.recipients = ["customs"]
        header.seq = 1_234_567
        header.journaledAtUs = 1_790_000_000_000_000
        var info = WireTapInfo()
        info.header = header
        info.dropped = dropped
        let frame = WireTapInfo.frame(headerBytes: try header.serializedBytes(), dropped: dropped)
        #expect(frame == (try info.serializedBytes() as [UInt8]))
        #expect(try WireTapInfo(serializedBytes: frame) == info)
    }
}
