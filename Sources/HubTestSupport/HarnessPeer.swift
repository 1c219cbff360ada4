import HubProtocol

/// One client connection of a `RouterHarness`: what the router sent it, in order, and how
/// its queue behaves when the router sends.
public final class HarnessPeer {
    /// How the peer takes DELIVERs.
    public enum Queue: Sendable, Equatable {
        /// It takes every DELIVER.
        case open
        /// Its queue is full: every DELIVER fails with `peerFull` (replies still arrive).
        case full
        /// It vanished: every DELIVER fails with `peerGone`, replies are lost.
        case gone
    }

    /// A DELIVER as the peer received it.
    public struct Delivery: Sendable, Equatable {
        /// The header (recipients name the receiving stream only).
        public var header: WireHeader
        /// The body, as the observer may see it.
        public var body: [UInt8]
        /// The message's seq.
        public var seq: UInt64 { header.seq }
    }

    /// One frame set the router sent to the peer.
    public enum Frame: Sendable, Equatable {
        /// A one-frame reply.
        case reply(WireCommand.OneOf_Kind)
        /// A DELIVER with its body.
        case deliver(Delivery)
    }

    /// The connection's routing id.
    public let routingId: [UInt8]
    /// The party it authenticated as (nil: no ZAP `User-Id`).
    public let party: String?
    /// How its queue behaves.
    public var queue: Queue = .open
    /// The CURVE key it authenticated with (the ZAP metadata the hub reads), if the test says.
    public var key: String?
    /// Everything the router sent it, in order.
    public private(set) var received: [Frame] = []
    /// The DELIVERs received, in order.
    public private(set) var deliveries: [Delivery] = []

    init(routingId: [UInt8], party: String?) {
        self.routingId = routingId
        self.party = party
    }

    /// The replies received, in order.
    public var replies: [WireCommand.OneOf_Kind] {
        received.compactMap { if case .reply(let kind) = $0 { kind } else { nil } }
    }

    /// The seqs of the DELIVERs received, in order.
    public var deliveredSeqs: [UInt64] { deliveries.map(\.seq) }

    /// The ERRORs received, in order.
    public var errors: [WireError] {
        replies.compactMap { if case .error(let error) = $0 { error } else { nil } }
    }

    /// The ACCEPTEDs received, in order.
    public var accepted: [WireAccepted] {
        replies.compactMap { if case .accepted(let accepted) = $0 { accepted } else { nil } }
    }

    /// The WELCOMEs received, in order.
    public var welcomes: [WireWelcome] {
        replies.compactMap { if case .welcome(let welcome) = $0 { welcome } else { nil } }
    }

    /// The ACCEPTED_BATCHes received, in order.
    public var acceptedBatches: [WireAcceptedBatch] {
        replies.compactMap { if case .acceptedBatch(let batch) = $0 { batch } else { nil } }
    }

    /// The PONGs received, in order.
    public var pongs: [WirePong] {
        replies.compactMap { if case .pong(let pong) = $0 { pong } else { nil } }
    }

    /// The REPLAY_STATUSes received, in order.
    public var replayStatuses: [WireReplayStatus] {
        replies.compactMap { if case .replayStatus(let status) = $0 { status } else { nil } }
    }

    /// Forgets what was received so far.
    public func clear() {
        received.removeAll()
        deliveries.removeAll()
    }

    func receive(_ frame: Frame) {
        received.append(frame)
        if case .deliver(let delivery) = frame { deliveries.append(delivery) }
    }
}
