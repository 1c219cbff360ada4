/// The subscriptions of the monitoring tap (PROTOCOL.md section 15), as a state machine:
/// each subscription or cancellation the tap's XPUB socket reports goes in, together with the
/// party that sent it (the ZAP `User-Id` of its connection); what the hub must do comes out.
///
/// Every tap copy is published under the topic `<observer>/<type>/<sender>/<recipient>`, so a
/// subscription is sound exactly when it starts with `<the subscriber's own party>/`: such a
/// subscription is applied, every other one is refused (never applied, counted).
///
/// What the hub applies to the subscriber's connection is not the prefix itself but its
/// *channel*, the prefix followed by one zero byte: the hub publishes the copies matching a
/// prefix in batches under that channel, and since no prefix holds a zero byte, a channel
/// reaches exactly the subscribers of that prefix (a subscriber of `a/` never receives the
/// batches of `a/b/`), while the subscriber's own SUB filter (`a/`) still matches it.
///
/// It also keeps, per observer, the prefixes applied and how many subscriptions hold each,
/// so that the hub makes copies only for observers somebody listens to. libzmq reports the
/// cancellations of a disconnected subscriber without a `User-Id`; such an anonymous
/// cancellation is booked against a refused subscription of the same topic first, so an
/// ambiguity can only leave a count too high (copies made that nobody receives), never too
/// low (copies missing for a live subscriber).
public struct TapSubscriptions: Sendable {
    /// What the hub does with one subscription message.
    public enum Action: Sendable, Equatable {
        /// Apply `channel` to the subscriber that sent the subscription (`ZMQ_SUBSCRIBE`).
        case subscribe(channel: [UInt8])
        /// Remove `channel` from the subscriber that sent the cancellation (`ZMQ_UNSUBSCRIBE`).
        case unsubscribe(channel: [UInt8])
        /// Apply nothing: a subscription outside the subscriber's own prefix. `reason` is for the log.
        case refuse(reason: String)
        /// Apply nothing (a cancellation libzmq already carried out, or one of a refused subscription).
        case ignore
    }

    /// Applied subscriptions: observer → prefix (the whole topic prefix, with the observer) → count.
    private var applied: [String: [[UInt8]: Int]] = [:]
    /// Refused subscriptions still held by their connections, by topic.
    private var refusedHeld: [[UInt8]: Int] = [:]
    /// Subscriptions refused so far.
    public private(set) var refusedCount: UInt64 = 0

    public init() {}

    /// Handles one message read from the XPUB socket: `message` is a subscription (`1` then
    /// the topic) or a cancellation (`0` then the topic); `party` is the `User-Id` libzmq
    /// attached to it, nil for the cancellations it makes itself when a subscriber leaves.
    public mutating func handle(_ message: [UInt8], party: String?) -> Action {
        guard let kind = message.first, kind <= 1 else {
            refusedCount += 1
            return .refuse(reason: "not a subscription message")
        }
        let topic = Array(message.dropFirst())
        let owner = Self.observer(ofTopic: topic)
        if kind == 1 {
            guard let party, !party.isEmpty, owner == party, !topic.contains(0) else {
                refusedCount += 1
                refusedHeld[topic, default: 0] += 1
                if topic.contains(0) { return .refuse(reason: "a tap subscription must not contain a zero byte") }
                let who = party ?? "an unauthenticated subscriber"
                return .refuse(reason: "\(who) may subscribe only to topics starting with '\(party ?? "<party>")/'")
            }
            applied[party, default: [:]][topic, default: 0] += 1
            return .subscribe(channel: Self.channel(topic))
        }
        if let party {
            // An explicit cancellation: the subscriber's own applied topic, or a refused one.
            guard owner == party, !topic.contains(0) else {
                release(refused: topic)
                return .ignore
            }
            return release(applied: topic, of: party) ? .unsubscribe(channel: Self.channel(topic)) : .ignore
        }
        // A departed subscriber: libzmq has already removed its subscriptions.
        if !release(refused: topic), let owner { _ = release(applied: topic, of: owner) }
        return .ignore
    }

    /// The observers with at least one applied subscription, and their prefixes.
    public var observers: [String: [[UInt8]]] {
        applied.mapValues { Array($0.keys) }
    }

    /// How many applied subscriptions `observer` has.
    public func subscriptions(of observer: String) -> Int {
        applied[observer]?.values.reduce(0, +) ?? 0
    }

    /// The channel of a subscription prefix: the prefix and one zero byte, the first frame of
    /// every batch published for it.
    public static func channel(_ prefix: [UInt8]) -> [UInt8] {
        prefix + [0]
    }

    /// The observer a topic belongs to: the text before its first `/`, or nil if it has none.
    public static func observer(ofTopic topic: [UInt8]) -> String? {
        guard let slash = topic.firstIndex(of: UInt8(ascii: "/")), slash > 0 else { return nil }
        return String(decoding: topic[..<slash], as: UTF8.self)
    }

    /// The topic of the copy of a message of `type` from `sender` delivered to `recipient`,
    /// as `observer` sees it: `observer/type/sender/recipient`.
    public static func topic(observer: String, type: String, sender: String, recipient: String) -> [UInt8] {
        Array("\(observer)/\(type)/\(sender)/\(recipient)".utf8)
    }

    @discardableResult
    private mutating func release(refused topic: [UInt8]) -> Bool {
        guard let count = refusedHeld[topic] else { return false }
        refusedHeld[topic] = count > 1 ? count - 1 : nil
        return true
    }

    private mutating func release(applied topic: [UInt8], of observer: String) -> Bool {
        guard let count = applied[observer]?[topic] else { return false }
        if count > 1 {
            applied[observer]?[topic] = count - 1
        } else {
            applied[observer]?[topic] = nil
            if applied[observer]?.isEmpty == true { applied[observer] = nil }
        }
        return true
    }
}
