import Foundation
import HubLifecycle
import HubThreads
import Logging
import Synchronization
import ZeroMQ

/// The ZAP (ZeroMQ Authentication Protocol, RFC 27) handler: answers libzmq's CURVE
/// handshake checks on `inproc://zeromq.zap.01`, mapping each client public key to its party
/// id from the config. Unknown keys are refused (status 400), so the handshake fails and the
/// peer never reaches the router. The party id becomes the connection's `User-Id`, and the
/// key itself the connection's `Swhub-Key` property (ZAP metadata), so that the router can
/// tell which of a party's two keys a connection used when a reload revokes one.
///
/// The key map is swapped whole by a reload (``replaceKeys(_:)``): each handshake reads the
/// map in force when it arrives.
///
/// Owns its REP socket on its own thread (`loop`) for its whole life: the socket is made in
/// `init` and touched only by the loop's body after that.
final class ZAPHandler: Sendable {
    private let socket: ZMQSocket
    private let parties: Mutex<[String: String]>  // Z85 public key → party id
    /// The ZAP domain this handler answers for; requests for any other domain are refused.
    private let domain: String
    private let logger: Logger
    private let loop: ThreadLoop
    /// Refusals are logged at most once per 10 s per kind, with a count of those held back:
    /// a peer knocking with a wrong key costs a few lines, not a full disk.
    private let refusals = Mutex(LogPace())

    /// Binds the ZAP endpoint on `context`; call before any CURVE server socket binds.
    /// Only sockets of ZAP domain `domain` are served (the router's is `swhub`, the tap's
    /// `swhub-tap`, each in its own context).
    init(
        context: ZMQContext, parties: [String: String], logger: Logger, domain: String = "swhub", threadName: String = "swhub-zap"
    ) throws {
        loop = ThreadLoop(name: threadName)
        socket = try ZMQSocket(context: context, type: .rep)
        try socket.linger(ms: 0)
        try socket.bind("inproc://zeromq.zap.01")
        self.parties = Mutex(parties)
        self.logger = logger
        self.domain = domain
    }

    /// The connection property carrying the Z85 key a connection authenticated with.
    static let keyProperty = "Swhub-Key"

    /// Replaces the key map: handshakes from now on are checked against `parties` (Z85
    /// public key → party id). Connections already made are the router's business.
    func replaceKeys(_ parties: [String: String]) {
        self.parties.withLock { $0 = parties }
    }

    /// Answers on a thread of its own until stopped. A terminated context ends it unexpectedly.
    var service: ThreadLoopService {
        ThreadLoopService(loop) { [self] loop in run(loop) }
    }

    private func run(_ loop: ThreadLoop) {
        defer { socket.close() }
        let poller = ZMQPoller(items: [ZMQPoll.Item(socket: socket, events: .pollIn)])
        while !loop.isStopRequested {
            do {
                guard try poller.poll(timeoutMs: 100) > 0 else { continue }
                guard let request = try socket.receiveMultipart(dontWait: true) else { continue }
                try socket.sendMultipart(reply(to: request.map(\.bytes)))
            } catch {
                logger.error("ZAP handler failed", metadata: ["error": "\(error)"])
                if (error as? ZMQError)?.isTerminated == true { break }
            }
        }
    }

    /// The reply frames for one ZAP request.
    func reply(to frames: [[UInt8]]) -> [[UInt8]] {
        // version, request id, domain, address, identity, mechanism, credentials...
        guard frames.count >= 6 else {
            return [Array("1.0".utf8), frames.count > 1 ? frames[1] : [], Array("500".utf8), Array("malformed ZAP request".utf8), [], []]
        }
        let requestId = frames[1]
        let address = String(decoding: frames[3], as: UTF8.self)
        let mechanism = String(decoding: frames[5], as: UTF8.self)
        let requestDomain = String(decoding: frames[2], as: UTF8.self)
        func answer(_ status: String, _ text: String, _ user: String, metadata: [UInt8] = []) -> [[UInt8]] {
            [Array("1.0".utf8), requestId, Array(status.utf8), Array(text.utf8), Array(user.utf8), metadata]
        }
        guard requestDomain == domain else {
            refused("refused connection to another ZAP domain", ["address": "\(address)", "domain": "\(requestDomain)"])
            return answer("400", "unknown ZAP domain", "")
        }
        guard mechanism == "CURVE", frames.count >= 7, frames[6].count == 32, let key = Z85.encode(frames[6]) else {
            refused("refused connection without CURVE", ["address": "\(address)", "mechanism": "\(mechanism)"])
            return answer("400", "CURVE required", "")
        }
        guard let party = parties.withLock({ $0[key] }) else {
            refused("refused unknown CURVE key", ["address": "\(address)", "key": "\(key)"])
            return answer("400", "unknown key", "")
        }
        logger.debug("authenticated", metadata: ["party": "\(party)", "address": "\(address)"])
        return answer("200", "OK", party, metadata: Self.metadata([(Self.keyProperty, key)]))
    }

    /// ZMTP metadata (RFC 23): per property a one-byte name length, the name, a four-byte
    /// big-endian value length and the value; libzmq adds them to the connection's properties.
    static func metadata(_ properties: [(String, String)]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (name, value) in properties {
            bytes.append(UInt8(name.utf8.count))
            bytes += Array(name.utf8)
            let length = UInt32(value.utf8.count)
            bytes += [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
            bytes += Array(value.utf8)
        }
        return bytes
    }

    /// Logs a refusal unless one of its kind was logged in the last 10 s.
    private func refused(_ message: Logger.Message, _ metadata: Logger.Metadata) {
        guard let heldBack = refusals.withLock({ $0.allow(message.description) }) else { return }
        var metadata = metadata
        metadata["similar_lines_held_back"] = "\(heldBack)"
        logger.warning(message, metadata: metadata)
    }
}
