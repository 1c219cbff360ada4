import HubCore
import HubProtocol
import ZeroMQ

extension TapPublisher {
    /// Adds the copies of `items` to the batches of the channels they match, publishing each
    /// batch as soon as it is full.
    func publish(_ items: [TapItem]) {
        for item in items {
            let header = item.header
            for recipient in item.recipients {
                let targets = route(TapRoute.Key(type: header.type, sender: header.sender, recipient: recipient)).targets
                guard !targets.isEmpty else { continue }
                // The header as delivered to `recipient`, encoded once for every observer.
                var delivered = header
                delivered.recipients = [recipient]
                let headerBytes = (try? delivered.serializedBytes()) ?? [UInt8]()
                // A redacted body, made once per observer (its targets are adjacent).
                var shown: (observer: String, body: [UInt8])?
                for target in targets {
                    let channel = target.channel
                    if case .whole = target.view {
                        item.body.withUnsafeBytes {
                            channels[channel].batch.append(topic: target.topic, headerBytes: headerBytes, body: $0)
                        }
                    } else {
                        if shown?.observer != target.observer {
                            shown = (target.observer, body(item.body, as: target.view, seq: header.seq, observer: target.observer))
                        }
                        (shown?.body ?? []).withUnsafeBytes {
                            channels[channel].batch.append(topic: target.topic, headerBytes: headerBytes, body: $0)
                        }
                    }
                    if channels[channel].batch.copies >= Self.batchCopies || channels[channel].batch.bytes.count >= Self.batchBytes {
                        flush(channel)
                    }
                }
            }
        }
    }

    /// The route of `key`, from the cache or worked out and cached (the cache is emptied on
    /// every subscription change, and when it grows past 4,096 routes).
    private func route(_ key: TapRoute.Key) -> TapRoute {
        if let route = routes[key] { return route }
        if routes.count >= 4_096 { routes.removeAll(keepingCapacity: true) }
        let route = TapRoute(key, live: live, prefixes: { self.channels[$0].prefix }, policy: policy)
        routes[key] = route
        return route
    }

    /// `body` through `view`. Should redaction fail (bodies of typed messages were checked on
    /// submission), the copy gets an empty body rather than fields the observer must not see.
    private func body(_ body: ZMQMessage, as view: ObserverPolicy.BodyView, seq: UInt64, observer: String) -> [UInt8] {
        do {
            return try body.withUnsafeBytes { try view.apply(to: $0) }
        } catch {
            logger.error(
                "tap redaction failed; publishing an empty body", metadata: ["seq": "\(seq)", "party": "\(observer)", "error": "\(error)"])
            return []
        }
    }
}
