import HubProtocol

/// Decides, without I/O, whether a submission is acceptable and who receives it: the
/// header's explicit recipients plus the parties subscribed to its type, minus the sender
/// unless the sender named itself. Built once from the config. With flows on, the customs
/// parties receive the standard's documents beyond the declaration's
/// (``MessageType/otherCustomsDocuments``: cancellations, returns, ...) as if subscribed.
public struct RoutingTable: Sendable {
    private let types: Set<String>
    private let parties: Set<String>
    private let subscribers: [String: [String]]
    /// Largest accepted body, bytes.
    public let maxBodyBytes: Int

    public init(config: HubConfig) {
        types = config.types
        parties = Set(config.parties.map(\.id))
        var subscribers: [String: [String]] = [:]
        for party in config.parties {
            for type in party.subscribes { subscribers[type, default: []].append(party.id) }
        }
        if config.flows != nil {
            // The standard's documents beyond the declaration's go to customs as the flows
            // forward the declaration's: no subscription needed.
            for party in config.parties(withRole: .customs) {
                for type in MessageType.otherCustomsDocuments where !party.subscribes.contains(type.rawValue) {
                    subscribers[type.rawValue, default: []].append(party.id)
                }
            }
        }
        self.subscribers = subscribers
        maxBodyBytes = config.settings.maxBodyBytes
    }

    /// Whether `party` is configured.
    public func knows(party: String) -> Bool { parties.contains(party) }

    /// Whether `type` is declared.
    public func knows(type: String) -> Bool { types.contains(type) }

    /// Validates a submission from the authenticated `party` and returns its recipients in a
    /// stable order (explicit ones first, then subscribers), each once.
    public func route(from party: String, header: WireHeader, bodyBytes: Int) -> Result<[String], HubFailure> {
        if header.id.isEmpty {
            return .failure(HubFailure(.missingId, "the header has no message id"))
        }
        if header.id.utf8.count > WireProtocol.maxIdBytes {
            return .failure(HubFailure(.missingId, "message id is \(header.id.utf8.count) bytes, the limit is \(WireProtocol.maxIdBytes)"))
        }
        if !header.sender.isEmpty && header.sender != party {
            return .failure(
                HubFailure(
                    .senderMismatch, "header claims sender '\(header.sender.prefix(64))' but the connection is authenticated as '\(party)'")
            )
        }
        if !types.contains(header.type) {
            let shown = header.type.isEmpty ? "(empty)" : "'\(header.type.prefix(128))'"
            return .failure(HubFailure(.unknownType, "type \(shown) is not declared in the hub's configuration"))
        }
        var recipients: [String] = []
        recipients.reserveCapacity(header.recipients.count)
        var seen: Set<String>?
        for recipient in header.recipients {
            guard parties.contains(recipient) else {
                return .failure(HubFailure(.unknownRecipient, "recipient '\(recipient.prefix(64))' is not a configured party"))
            }
            Self.add(recipient, to: &recipients, seen: &seen)
        }
        if bodyBytes > maxBodyBytes {
            return .failure(HubFailure(.bodyTooLarge, "body is \(bodyBytes) bytes, the limit is \(maxBodyBytes)"))
        }
        for subscriber in subscribers[header.type] ?? [] where subscriber != party {
            Self.add(subscriber, to: &recipients, seen: &seen)
        }
        return .success(recipients)
    }

    /// Appends `recipient` unless `recipients` has it: a message names a few recipients, so
    /// up to 16 they are compared one by one (hashing each into a set cost more, per
    /// message, than the compares); past that, through `seen`, built once.
    private static func add(_ recipient: String, to recipients: inout [String], seen: inout Set<String>?) {
        if recipients.count < 16, seen == nil {
            if !recipients.contains(recipient) { recipients.append(recipient) }
            return
        }
        if seen == nil { seen = Set(recipients) }
        if seen?.insert(recipient).inserted == true { recipients.append(recipient) }
    }
}
