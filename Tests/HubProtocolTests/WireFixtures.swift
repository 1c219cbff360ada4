import Foundation
import HubProtocol

/// Messages of `Schemas/hub.proto` with every field set to a value other than its default,
/// so a round trip that dropped or mixed up any field would show.
enum WireFixtures {
    static var header: WireHeader {
        var header = WireHeader()
        header.id = "order-2024-000123"
        header.type = "ceb.Order"
        header.sender = "enterprise"
        header.recipients = ["customs", "tax", "bank"]
        header.correlationID = "query-7"
        header.createdAtUs = -1_700_000_000_123_456  // negative: int64, not uint64
        header.journaledAtUs = 1_700_000_000_654_321
        header.seq = UInt64.max - 3
        return header
    }

    static var hello: WireHello {
        var hello = WireHello()
        hello.client = "unit-test/1.0 ünïcødé"
        hello.credit = 250
        hello.ackedSeq = 1_234_567_890_123
        hello.receive = true
        hello.batchDeliveries = 100
        return hello
    }

    static var welcome: WireWelcome {
        var welcome = WireWelcome()
        welcome.party = "customs"
        welcome.ackedSeq = 42
        welcome.credit = UInt32.max
        welcome.heartbeatMs = 2000
        welcome.maxBodyBytes = 1_048_576
        welcome.hubVersion = "0.9.1"
        welcome.protocolVersion = 2
        welcome.maxBatchEntries = 1000
        welcome.maxBatchBytes = 1_048_576
        return welcome
    }

    static var submit: WireSubmit {
        var submit = WireSubmit()
        submit.header = header
        return submit
    }

    static var accepted: WireAccepted {
        var accepted = WireAccepted()
        accepted.id = "order-2024-000123"
        accepted.seq = 99
        accepted.duplicate = true
        accepted.recipients = 3
        return accepted
    }

    static var error: WireError {
        var error = WireError()
        error.code = 403
        error.name = "SENDER_MISMATCH"
        error.reason = "header claims sender 'tax'"
        error.id = "m-1"
        error.batch = 17
        return error
    }

    static var deliver: WireDeliver {
        var deliver = WireDeliver()
        deliver.header = header
        return deliver
    }

    static var ack: WireAck {
        var ack = WireAck()
        ack.seq = UInt64.max
        return ack
    }

    static var ping: WirePing {
        var ping = WirePing()
        ping.nonce = 0xDEAD_BEEF_CAFE
        return ping
    }

    static var pong: WirePong {
        var pong = WirePong()
        pong.nonce = 0xDEAD_BEEF_CAFE
        pong.ackedSeq = 77
        pong.receiving = true
        return pong
    }

    /// One of each `Command.kind`, in field-number order (10...18).
    static var replay: WireReplay {
        var replay = WireReplay()
        replay.party = "customs"
        replay.fromSeq = 42
        replay.sinceUs = 1_763_000_000_000_000
        replay.types = ["ceb.Order", "ceb.Inventory"]
        replay.follow = true
        replay.credit = 500
        replay.client = "fixture"
        replay.batchDeliveries = 50
        return replay
    }

    static var replayStatus: WireReplayStatus {
        var status = WireReplayStatus()
        status.phase = .caughtUp
        status.party = "customs"
        status.firstSeq = 42
        status.headSeq = 1042
        status.delivered = 17
        status.credit = 500
        return status
    }

    static var journalEntry: WireJournalEntry {
        var entry = WireJournalEntry()
        entry.header = header
        entry.body = Data([1, 2, 3])
        return entry
    }

    static var tapCopy: WireTapCopy {
        var copy = WireTapCopy()
        copy.topic = "auditor/demo.Note/platform/customs"
        copy.header = header
        copy.body = Data([1, 2, 3])
        return copy
    }

    static var tapBatch: WireTapBatch {
        var batch = WireTapBatch()
        batch.copies = [tapCopy, tapCopy]
        batch.dropped = 3
        return batch
    }

    static var submitBatch: WireSubmitBatch {
        var submit = WireSubmitBatch()
        submit.batch = 9
        submit.headers = [header, header]
        submit.bodySizes = [3, 0]
        return submit
    }

    static var batchResult: WireBatchResult {
        var result = WireBatchResult()
        result.accepted = accepted
        return result
    }

    static var acceptedBatch: WireAcceptedBatch {
        var refused = WireBatchResult()
        refused.error = error
        var answer = WireAcceptedBatch()
        answer.batch = 9
        answer.results = [batchResult, refused]
        return answer
    }

    static var deliverBatch: WireDeliverBatch {
        var deliver = WireDeliverBatch()
        deliver.headers = [header]
        deliver.bodySizes = [5]
        return deliver
    }

    /// The version-2 commands (PROTOCOL.md section 16).
    static var batchKinds: [WireCommand.OneOf_Kind] {
        [.submitBatch(submitBatch), .acceptedBatch(acceptedBatch), .deliverBatch(deliverBatch)]
    }

    static var allKinds: [WireCommand.OneOf_Kind] { v1Kinds + batchKinds }

    /// The commands of version 1.
    static var v1Kinds: [WireCommand.OneOf_Kind] {
        [
            .hello(hello), .welcome(welcome), .submit(submit), .accepted(accepted), .error(error),
            .deliver(deliver), .ack(ack), .ping(ping), .pong(pong), .replay(replay), .replayStatus(replayStatus),
        ]
    }
}

extension WireCommand.OneOf_Kind {
    /// The oneof case's name as in hub.proto, for test names and messages.
    var name: String {
        switch self {
        case .hello: "hello"
        case .welcome: "welcome"
        case .submit: "submit"
        case .accepted: "accepted"
        case .error: "error"
        case .deliver: "deliver"
        case .ack: "ack"
        case .ping: "ping"
        case .pong: "pong"
        case .replay: "replay"
        case .replayStatus: "replay_status"
        case .submitBatch: "submit_batch"
        case .acceptedBatch: "accepted_batch"
        case .deliverBatch: "deliver_batch"
        }
    }
}
