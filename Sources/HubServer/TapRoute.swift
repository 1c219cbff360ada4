import HubCore

/// Where the tap copies of the messages of one type from one sender to one recipient go: the
/// channels whose prefix their topic matches, for every observer allowed to see them, each
/// with the topic and the body view. Worked out once per (type, sender, recipient) between
/// two subscription changes, so a copy costs the tap a dictionary lookup, not a policy walk.
struct TapRoute: Sendable {
    struct Key: Hashable, Sendable {
        let type: String
        let sender: String
        let recipient: String
    }

    /// One channel a copy goes to.
    struct Target: Sendable {
        /// Index into the publisher's channels.
        let channel: Int
        let observer: String
        /// `observer/type/sender/recipient`.
        let topic: [UInt8]
        /// The body as `observer` sees it in the copy delivered to the recipient.
        let view: ObserverPolicy.BodyView
    }

    /// In observer order, so that an observer's targets are adjacent.
    let targets: [Target]

    /// The route of `key` through `channels` (grouped by observer in `live`).
    init(_ key: Key, live: [(observer: String, channels: [Int])], prefixes: (Int) -> [UInt8], policy: ObserverPolicy) {
        var targets: [Target] = []
        for (observer, indices) in live where policy.seesOnTap(observer, sender: key.sender, recipient: key.recipient) {
            let topic = TapSubscriptions.topic(observer: observer, type: key.type, sender: key.sender, recipient: key.recipient)
            let view = policy.view(observer: observer, stream: key.recipient, type: key.type)
            for index in indices where topic.starts(with: prefixes(index)) {
                targets.append(Target(channel: index, observer: observer, topic: topic, view: view))
            }
        }
        self.targets = targets
    }
}
