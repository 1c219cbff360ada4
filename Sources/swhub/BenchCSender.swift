import CHubClient
import Foundation
import HubConfigKit
import HubCore

/// The C adapter kit as the bench's sender: the same 1 → 1 durable routing case as
/// `runRouting(hub: true, ...)`, with the SUBMITs sent and their replies read by the C
/// library (`swhub_send` / `swhub_next_reply`, the same window of unanswered messages)
/// instead of the Swift sender, so the figures show whether a sender's language limits the
/// hub's rate. With `batch` above 1 the C library gathers the messages into SUBMIT_BATCHes of
/// that many and the receiver takes DELIVER_BATCHes of as many (PROTOCOL.md section 16).
extension BenchSetup {
    /// Messages per second through the hub from the C sender to one Swift receiver.
    func runRoutingCSender(size: Int, count: Int, batch: Int = 1) throws -> Double {
        let prefix = "c\(UUID().uuidString.prefix(8))-"
        let keyFile = directory.appendingPathComponent("bench-sender.key_secret")
        let hubKeyFile = directory.appendingPathComponent("hub.key")
        try KeyFile(publicKey: senderKeys.publicKey, secretKey: senderKeys.secretKey).render(name: "bench-sender", includingSecret: true)
            .write(to: keyFile, atomically: true, encoding: .utf8)
        try KeyFile(publicKey: hubKeys.publicKey, secretKey: nil).render(name: "hub", includingSecret: false)
            .write(to: hubKeyFile, atomically: true, encoding: .utf8)
        let endpoint = "tcp://127.0.0.1:\(hubPort)"
        let receiver = BenchReceiver(
            target: BenchEndpoint(endpoint: endpoint, serverKey: hubKeys.publicKey, keys: receiverKeys[0]),
            mode: .hub, expected: count, idPrefix: prefix, batchDeliveries: batch > 1 ? UInt32(batch) : 0)
        let ready = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let failures = FailureBox()
        Thread.detachNewThread { [context] in
            do { try receiver.run(context: context, ready: ready) } catch {
                failures.add("\(error)")
                ready.signal()
            }
            done.signal()
        }
        ready.wait()
        usleep(20_000)
        let ids = BenchMessageId.make(prefix: prefix, count: count, order: idOrder)
        let start = DispatchTime.now().uptimeNanoseconds
        try CBenchSender(
            endpoint: endpoint, keyFile: keyFile.path, hubKeyFile: hubKeyFile.path, size: size,
            window: 2000, recipient: "bench-r1", ids: ids, batch: batch
        ).run()
        done.wait()
        if let failure = failures.first { throw BenchError(failure) }
        return Double(count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}

extension Bench {
    /// 1 → 1 durable routing with the C adapter kit's sender (`route_1to1_c_sender`, and in
    /// batches of `wireBatch` both ways, `route_1to1_c_sender_batched`), next to the zmq_proxy baseline (measured here when `baseline` is nil, with the Swift
    /// sender's `route_1to1` too).
    func cSenderCase(_ setup: BenchSetup, _ report: BenchReport, size: Int, count: Int, baseline: Double?) throws {
        var base = baseline
        if base == nil {
            let measured = try setup.runRouting(hub: false, size: size, count: count, recipients: 1)
            let swift = try setup.runRouting(hub: true, size: size, count: count, recipients: 1)
            report.line(case: "route_1to1", size: size, count: count, rate: swift, baseline: measured, rss: setup.hubRSS)
            base = measured
        }
        let c = try setup.runRoutingCSender(size: size, count: count)
        report.line(case: "route_1to1_c_sender", size: size, count: count, rate: c, baseline: base, rss: setup.hubRSS)
        let batched = try setup.runRoutingCSender(size: size, count: count, batch: Self.wireBatch)
        report.line(case: "route_1to1_c_sender_batched", size: size, count: count, rate: batched, baseline: base, rss: setup.hubRSS)
    }
}

/// Sends one message of `size` bytes per id in `ids` through the C library, at most `window`
/// unanswered, and reads every reply: one SUBMIT each (`batch` 1), or SUBMIT_BATCHes of
/// `batch` (the library's default 1 ms linger).
struct CBenchSender {
    var endpoint: String
    var keyFile: String
    var hubKeyFile: String
    var size: Int
    var window: Int
    var recipient: String
    /// One id per message to send (``BenchMessageId``).
    var ids: [String]
    var batch = 1

    func run() throws {
        var client: OpaquePointer?
        let opened = swhub_open(&client, endpoint, keyFile, hubKeyFile, 10_000)
        guard opened == 0, let client else {
            throw BenchError("C client: \(String(cString: swhub_strerror(opened))): \(String(cString: swhub_last_error(nil)))")
        }
        defer { swhub_close(client) }
        let batching = swhub_set_batching(client, UInt32(max(1, batch)), UInt32(SWHUB_DEFAULT_BATCH_LINGER_US))
        guard batching == 0 else { throw BenchError("C client: swhub_set_batching: \(String(cString: swhub_last_error(client)))") }
        let body = [UInt8](repeating: 0x61, count: size)
        let type = strdup("bench.Data")
        let to = strdup(recipient)
        defer {
            free(type)
            free(to)
        }
        var recipients: [UnsafePointer<CChar>?] = [UnsafePointer(to)]
        var sent = 0
        var replies = 0
        var reply = swhub_reply()
        while replies < ids.count {
            while sent < ids.count && sent - replies < window {
                let rc = ids[sent].withCString { id in
                    body.withUnsafeBytes { bytes in
                        recipients.withUnsafeMutableBufferPointer { list in
                            var message = swhub_message()
                            message.id = id
                            message.type = UnsafePointer(type)
                            message.recipients = UnsafePointer(list.baseAddress)
                            message.recipient_count = 1
                            message.body = bytes.baseAddress
                            message.body_len = bytes.count
                            return swhub_send(client, &message)
                        }
                    }
                }
                guard rc == 0 else { throw BenchError("C client: swhub_send: \(String(cString: swhub_last_error(client)))") }
                sent += 1
            }
            let rc = swhub_next_reply(client, &reply, 30_000)
            guard rc == 0 else { throw BenchError("C client: no reply: \(String(cString: swhub_last_error(client)))") }
            guard reply.code == 0 else { throw BenchError("C client: the hub refused a message: code \(reply.code)") }
            replies += 1
        }
    }
}
