import Foundation
import Testing
import ZeroMQ

/// A minimal ZAP handler (RFC 27) on its own thread: accepts one CURVE public key with
/// a user id, refuses everything else with 400.
final class ZAPHandler: Sendable {
    let requests = Locked<[String]>([])
    private let stop = Locked(false)
    private let thread: BackgroundThread

    init(context: ZMQContext, allowedKey: [UInt8], userId: String) throws {
        let rep = try makeSocket(context, .rep, receiveTimeoutMs: 50)
        try rep.bind("inproc://zeromq.zap.01")
        let stop = self.stop
        let requests = self.requests
        thread = BackgroundThread {
            defer { rep.close() }
            while !stop.value {
                guard let frames = try? rep.receiveMultipart(), frames.count == 7 else { continue }
                let mechanism = String(decoding: frames[5].bytes, as: UTF8.self)
                let allowed = mechanism == "CURVE" && frames[6].bytes == allowedKey
                requests.mutate { $0.append("\(mechanism) \(allowed ? 200 : 400)") }
                let reply: [[UInt8]] = [
                    frames[0].bytes,  // "1.0"
                    frames[1].bytes,  // request id
                    (allowed ? "200" : "400").utf8Bytes,
                    (allowed ? "OK" : "unknown key").utf8Bytes,
                    allowed ? userId.utf8Bytes : [],
                    [],  // metadata
                ]
                _ = try? rep.sendMultipart(reply)
            }
        }
    }

    func stopAndJoin() -> Bool {
        stop.value = true
        return thread.join(timeoutSeconds: 5)
    }
}

@Suite struct CurveTests {
    @Test func z85RoundTripAndRejection() throws {
        let helloWorld: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(Z85.encode(helloWorld) == "HelloWorld")
        #expect(Z85.decode("HelloWorld") == helloWorld)
        let random = (0..<32).map { _ in UInt8.random(in: 0...255) }
        #expect(Z85.decode(try #require(Z85.encode(random))) == random)
        #expect(Z85.encode([1, 2, 3]) == nil)
        #expect(Z85.decode("abcd") == nil)
        #expect(Z85.decode("~~~~~") == nil)
        #expect(Z85.encode([]) == "")
    }

    @Test func keyPairValidation() throws {
        #expect(ZMQLibrary.has("curve"))
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.count == 40 && pair.secretKey.count == 40)
        #expect(try CurveKeyPair.publicKey(fromSecret: pair.secretKey) == pair.publicKey)
        #expect(try CurveKeyPair(publicKey: pair.publicKey, secretKey: pair.secretKey) == pair)
        #expect(!pair.description.contains(pair.secretKey))

        let other = try CurveKeyPair.generate()
        let mismatch = #expect(throws: ZMQError.self) {
            try CurveKeyPair(publicKey: other.publicKey, secretKey: pair.secretKey)
        }
        #expect(mismatch?.errno == EINVAL)
        #expect(throws: ZMQError.self) { try CurveKeyPair(publicKey: "short", secretKey: pair.secretKey) }
        let badChar = String(pair.secretKey.dropLast()) + "~"
        #expect(throws: ZMQError.self) { try CurveKeyPair(publicKey: pair.publicKey, secretKey: badChar) }
        #expect(throws: ZMQError.self) { try CurveKeyPair.publicKey(fromSecret: "") }
        // What the key files' errors say instead of "Invalid argument".
        #expect(CurveKeyPair.problem(publicKey: pair.publicKey, secretKey: pair.secretKey) == nil)
        #expect(CurveKeyPair.problem(publicKey: other.publicKey, secretKey: pair.secretKey)?.contains("different key pairs") == true)
        #expect(CurveKeyPair.problem(publicKey: "short", secretKey: pair.secretKey)?.hasPrefix("its public key is not 40 Z85") == true)
        #expect(CurveKeyPair.problem(publicKey: pair.publicKey, secretKey: badChar)?.hasPrefix("its secret key is not 40 Z85") == true)
    }

    @Test func knownClientIsAuthenticatedWithUserId() throws {
        let context = try ZMQContext()
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        let zap = try ZAPHandler(
            context: context, allowedKey: try #require(Z85.decode(client.publicKey)), userId: "alice")

        let router = try makeSocket(context, .router)
        try router.makeCurveServer(secretKey: server.secretKey)
        try router.zapDomain("hub")
        let endpoint = try bindLoopback(router)

        let dealer = try makeSocket(context, .dealer)
        try dealer.makeCurveClient(keyPair: client, serverPublicKey: server.publicKey)
        try dealer.connect(endpoint)
        try dealer.send(bytes: "hello".utf8Bytes)

        let frames = try #require(try router.receiveMultipart())
        #expect(frames.count == 2)
        #expect(frames.last?.bytes == "hello".utf8Bytes)
        #expect(frames.last?.metadata("User-Id") == "alice")
        #expect(frames.last?.metadata("No-Such-Property") == nil)
        #expect(zap.stopAndJoin())
        #expect(zap.requests.value == ["CURVE 200"])
    }

    @Test func unknownClientFailsAuthentication() throws {
        let context = try ZMQContext()
        let server = try CurveKeyPair.generate()
        let known = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        let zap = try ZAPHandler(
            context: context, allowedKey: try #require(Z85.decode(known.publicKey)), userId: "alice")

        let router = try makeSocket(context, .router, receiveTimeoutMs: 300)
        try router.makeCurveServer(secretKey: server.secretKey)
        try router.zapDomain("hub")
        let endpoint = try bindLoopback(router)

        let dealer = try makeSocket(context, .dealer)
        try dealer.makeCurveClient(keyPair: stranger, serverPublicKey: server.publicKey)
        let monitor = try ZMQSocketMonitor(socket: dealer, context: context)
        try dealer.connect(endpoint)
        try dealer.send(bytes: "intruder".utf8Bytes)

        var failure: MonitorEvent?
        let deadline = ContinuousClock.now + .seconds(5)
        while failure == nil, ContinuousClock.now < deadline {
            if let event = try monitor.next(timeoutMs: 200), event.kind == .handshakeFailedAuth {
                failure = event
            }
        }
        #expect(failure?.value == 400)
        #expect(try router.receive() == nil, "nothing may arrive from an unauthenticated peer")
        monitor.close()
        #expect(zap.stopAndJoin())
        #expect(zap.requests.value.first == "CURVE 400")
    }
}
