import Foundation

/// The kernel's TCP queues on this machine, read from /proc/net/tcp and /proc/net/tcp6:
/// lets a test wait until bytes really are in flight (say, into a stopped process) instead
/// of pausing for a while.
enum TCPQueues {
    /// Bytes received and not yet read by the process, summed over the TCP sockets bound to
    /// `localPort` (a listening port's accepted connections share it).
    static func receiveQueueBytes(localPort: Int) -> Int {
        var total = 0
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            // "sl local_address rem_address st tx_queue:rx_queue ...", addresses as HEX:PORT.
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 4, let portHex = fields[1].split(separator: ":").last, Int(portHex, radix: 16) == localPort,
                    let rxHex = fields[4].split(separator: ":").last, let rx = Int(rxHex, radix: 16)
                else { continue }
                total += rx
            }
        }
        return total
    }
}
