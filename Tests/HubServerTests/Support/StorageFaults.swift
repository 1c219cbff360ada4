import Foundation
import HubProtocol
import ZeroMQ

/// What the storage-fault tests share: collecting a raw peer's frame sets, the hub's CPU
/// time, counting log lines.
enum StorageFaults {
    /// Frame sets from `peer` (PONGs skipped, PINGing every 200 ms) until `stop` holds on what
    /// arrived, or `limit` passed.
    static func collect(
        _ peer: RawPeer, within limit: Duration, until stop: @escaping @Sendable ([Reply]) -> Bool = { _ in false }
    ) async throws -> [Reply] {
        try await peer.io { peer in
            var replies: [Reply] = []
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                try peer.pingIfDue(everyMs: 200)
                guard let reply = try peer.receive(timeoutMs: 50) else { continue }
                if case .pong = reply.command.kind { continue }
                replies.append(reply)
                if stop(replies) { break }
            }
            return replies
        }
    }

    /// The seqs of the DELIVERs among `replies`.
    static func delivered(_ replies: [Reply]) -> [UInt64] {
        replies.compactMap { reply in
            if case .deliver(let deliver) = reply.command.kind { return deliver.header.seq }
            return nil
        }
    }

    /// The ERRORs among `replies`.
    static func errors(_ replies: [Reply]) -> [WireError] {
        replies.compactMap { reply in
            if case .error(let error) = reply.command.kind { return error }
            return nil
        }
    }

    /// A process's user + system CPU time so far, in seconds (`/proc/PID/stat`).
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After the command's ")": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The lines of `log` containing `text`.
    static func lines(_ log: String, containing text: String) -> Int {
        log.split(separator: "\n").filter { $0.contains(text) }.count
    }
}
