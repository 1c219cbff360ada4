import Foundation
import HubProtocol
import ZeroMQ

extension BenchSetup {
    /// The replay case: journals `count` messages of `size` bytes for `bench-replay` (a
    /// party nobody receives for; untimed), then times a replay of its stream from seq 1
    /// through the hub to one DEALER that reads every frame set and acknowledges every 100
    /// deliveries, from sending REPLAY until FINISHED: once per entry of `batches` (the
    /// most deliveries per DELIVER_BATCH to ask for; 0 for one DELIVER each). Returns
    /// messages per second, one figure per entry.
    func runReplay(size: Int, count: Int, batches: [UInt32] = [0]) throws -> [Double] {
        let hubEndpoint = BenchEndpoint(endpoint: "tcp://127.0.0.1:\(hubPort)", serverKey: hubKeys.publicKey, keys: senderKeys)
        let prefix = "replay-\(UUID().uuidString)-"
        let fill = BenchSender(
            target: hubEndpoint, ids: BenchMessageId.make(prefix: prefix, count: count, order: idOrder), size: size, window: 2000,
            recipients: ["bench-replay"], idPrefix: prefix, batch: 100)
        _ = try fill.run(context: context)
        return try batches.map { try replayOnce(hubEndpoint.endpoint, count: count, batch: $0) }
    }

    /// One timed replay of `bench-replay`'s stream from seq 1.
    private func replayOnce(_ endpoint: String, count: Int, batch: UInt32) throws -> Double {
        let socket = try ZMQSocket(context: context, type: .dealer)
        defer { socket.close() }
        try socket.linger(ms: 0)
        try socket.receiveHighWaterMark(0)
        try socket.sendHighWaterMark(0)
        try socket.receiveTimeout(ms: 30_000)
        try BenchEndpoint(endpoint: endpoint, serverKey: hubKeys.publicKey, keys: replayKeys).connect(socket)
        var replay = WireReplay()
        replay.fromSeq = 1
        replay.credit = 1000
        replay.client = "swhub-bench"
        replay.batchDeliveries = batch
        let start = DispatchTime.now().uptimeNanoseconds
        try socket.send(bytes: WireProtocol.frame(.replay(replay)))
        var received = 0
        var lastSeq: UInt64 = 0
        var ackedSeq: UInt64 = 0
        while true {
            guard let frames = try socket.receiveMultipart() else {
                throw BenchError("replay timed out after \(received) of \(count) messages")
            }
            // Deliveries are counted from their seqs read in place (CommandScan), as the
            // routing cases' receivers count theirs; the other commands are decoded.
            if let scan = CommandScan(frames[0].bytes, idPrefix: []), scan.kind == .deliver || scan.kind == .deliverBatch {
                guard frames.count == 2, scan.headers > 0 else { continue }
                received += scan.headers
                lastSeq = scan.lastSeq
                if lastSeq - ackedSeq >= 100 { try acknowledge(lastSeq, on: socket, &ackedSeq) }
                continue
            }
            switch try WireCommand(serializedBytes: frames[0].bytes).kind {
            case .replayStatus(let status) where status.phase == .caughtUp:
                try acknowledge(lastSeq, on: socket, &ackedSeq)
            case .replayStatus(let status) where status.phase == .finished:
                guard received == count else { throw BenchError("replay finished after \(received) of \(count) messages") }
                return Double(count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            case .error(let error):
                throw BenchError("replay refused: \(error.code) \(error.name): \(error.reason)")
            default:
                continue
            }
        }
    }

    private func acknowledge(_ seq: UInt64, on socket: ZMQSocket, _ acked: inout UInt64) throws {
        guard seq > acked else { return }
        var ack = WireAck()
        ack.seq = seq
        try socket.send(bytes: WireProtocol.frame(.ack(ack)))
        acked = seq
    }
}
