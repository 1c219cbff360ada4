import HubProtocol

extension Delivery {
    /// The deliveries a DELIVER_BATCH carries (PROTOCOL.md section 16), in order, or nil
    /// when its body sizes do not match its headers and bodies frame.
    ///
    /// - Parameters:
    ///   - batch: The DELIVER_BATCH command.
    ///   - bodies: Its bodies frame.
    /// - Returns: One delivery per entry, or nil for a malformed batch.
    static func unpack(_ batch: WireDeliverBatch, bodies: [UInt8]) -> [Delivery]? {
        guard batch.headers.count == batch.bodySizes.count,
            batch.bodySizes.reduce(0, { $0 + Int($1) }) == bodies.count
        else { return nil }
        var start = 0
        return zip(batch.headers, batch.bodySizes).map { header, size in
            let end = start + Int(size)
            defer { start = end }
            return Delivery(header: header, body: Array(bodies[start..<end]))
        }
    }
}
