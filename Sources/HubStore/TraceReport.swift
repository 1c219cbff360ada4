/// Everything the journal knows about the path of one message, registration or
/// declaration (`swhub trace`, the web monitor's `/trace`): the messages involved and the
/// events of each — received from its sender, journaled, delivered to and acknowledged by
/// each recipient — in time order.
///
/// Times are microseconds since the Unix epoch. "Received" is the sender's `created_at_us`
/// (the sender's clock); "journaled" the hub's. Delivery and acknowledgement times come
/// from the progress log (``ProgressMark``): each is the time of the first mark that covers
/// the message, at most ~100 ms after the real moment.
public struct TraceReport: Sendable, Codable, Equatable {
    /// What the traced id turned out to be.
    public enum Subject: String, Sendable, Codable {
        /// A message with its answers, receipts and feedback.
        case message
        /// A registration (备案): its sharing with the departments, their results, the feedback.
        case registration
        /// A declaration (申报): its four documents, the forwards to customs, customs'
        /// receipts, the feedback and the release notices.
        case declaration
    }

    /// What a message is to the traced subject.
    public enum Role: String, Sendable, Codable {
        /// The message with the traced id.
        case subject
        /// One of the four documents of the traced declaration.
        case document
        /// The hub's copy of a registration shared with the departments, or of customs' tax bill passed on to a declaration's filers.
        case share
        /// A department's answer to a shared registration.
        case result
        /// The hub's forward of a declaration document to customs.
        case forward
        /// A receipt (回执) from customs.
        case receipt
        /// Unified feedback (统一反馈) from the hub to the filers.
        case feedback
        /// A release notice from the hub to tax, forex, the bank and the carrier.
        case releaseNotice = "release_notice"
        /// A withdrawal notice from the hub after customs approved a cancellation after the release.
        case withdrawalNotice = "withdrawal_notice"
        /// A return notice from the hub after customs approved a return.
        case returnNotice = "return_notice"
        /// An answer to a query.
        case answer
        /// A risk rule's notice about the declaration (`risk.Notice`).
        case riskNotice = "risk_notice"
        /// A reviewer's decision on a held declaration (`risk.Disposition`).
        case riskDisposition = "risk_disposition"
        /// Any other message correlated with one of the above.
        case related
    }

    /// One recipient's side of a message.
    public struct Delivery: Sendable, Codable, Equatable {
        /// The recipient.
        public var party: String
        /// Whether the message was sent to the recipient's receiving session.
        public var delivered: Bool
        /// When, if recorded (nil when not delivered, or delivered before the progress log was kept).
        public var deliveredAtUs: Int64?
        /// Whether the recipient acknowledged it.
        public var acknowledged: Bool
        /// When, if recorded.
        public var acknowledgedAtUs: Int64?

        enum CodingKeys: String, CodingKey {
            case party, delivered, acknowledged
            case deliveredAtUs = "delivered_at_us"
            case acknowledgedAtUs = "acknowledged_at_us"
        }

        /// Creates a delivery.
        public init(party: String, delivered: Bool, deliveredAtUs: Int64?, acknowledged: Bool, acknowledgedAtUs: Int64?) {
            self.party = party
            self.delivered = delivered
            self.deliveredAtUs = deliveredAtUs
            self.acknowledged = acknowledged
            self.acknowledgedAtUs = acknowledgedAtUs
        }
    }

    /// One journaled message of the trace.
    public struct Message: Sendable, Codable, Equatable {
        public var seq: UInt64
        public var sender: String
        public var id: String
        public var type: String
        public var role: Role
        public var correlationId: String
        public var createdAtUs: Int64
        public var journaledAtUs: Int64
        /// One per recipient, in the journaled order of recipients.
        public var deliveries: [Delivery]

        enum CodingKeys: String, CodingKey {
            case seq, sender, id, type, role, deliveries
            case correlationId = "correlation_id"
            case createdAtUs = "created_at_us"
            case journaledAtUs = "journaled_at_us"
        }

        /// Creates a traced message.
        public init(
            seq: UInt64, sender: String, id: String, type: String, role: Role, correlationId: String,
            createdAtUs: Int64, journaledAtUs: Int64, deliveries: [Delivery]
        ) {
            self.seq = seq
            self.sender = sender
            self.id = id
            self.type = type
            self.role = role
            self.correlationId = correlationId
            self.createdAtUs = createdAtUs
            self.journaledAtUs = journaledAtUs
            self.deliveries = deliveries
        }
    }

    /// One step of a message's path.
    public struct Event: Sendable, Codable, Equatable {
        /// What happened.
        public enum Kind: String, Sendable, Codable {
            /// The sender submitted it (at the sender's `created_at_us`); `party` is the sender.
            case received
            /// The hub journaled it under `seq`.
            case journaled
            /// It was sent to `party`'s receiving session.
            case delivered
            /// `party` acknowledged it.
            case acknowledged
            /// Not (yet) delivered to `party`; no time.
            case notDelivered = "not_delivered"
            /// Not (yet) acknowledged by `party`; no time.
            case notAcknowledged = "not_acknowledged"
        }

        /// When; nil for the "not yet" kinds and for times the journal did not record.
        public var atUs: Int64?
        public var kind: Kind
        public var seq: UInt64
        public var messageId: String
        public var type: String
        public var role: Role
        /// The sender for `received` and `journaled`, the recipient otherwise.
        public var party: String

        enum CodingKeys: String, CodingKey {
            case kind, seq, type, role, party
            case atUs = "at_us"
            case messageId = "message_id"
        }

        /// Creates an event.
        public init(atUs: Int64?, kind: Kind, seq: UInt64, messageId: String, type: String, role: Role, party: String) {
            self.atUs = atUs
            self.kind = kind
            self.seq = seq
            self.messageId = messageId
            self.type = type
            self.role = role
            self.party = party
        }
    }

    /// The id that was traced.
    public var id: String
    public var subject: Subject
    /// The messages involved, in seq order.
    public var messages: [Message]
    /// Their events in time order (ties by seq); events without a time come last.
    public var events: [Event]

    /// Creates a report; ``events`` are derived from `messages`.
    ///
    /// - Parameters:
    ///   - id: The id that was traced.
    ///   - subject: What it turned out to be.
    ///   - messages: The messages involved.
    public init(id: String, subject: Subject, messages: [Message]) {
        self.id = id
        self.subject = subject
        self.messages = messages.sorted { $0.seq < $1.seq }
        self.events = Self.events(of: self.messages)
    }

    /// Every message's events, in time order.
    static func events(of messages: [Message]) -> [Event] {
        var timed: [(order: Int, event: Event)] = []
        var untimed: [Event] = []
        for message in messages {
            func event(_ kind: Event.Kind, _ at: Int64?, _ party: String) -> Event {
                Event(atUs: at, kind: kind, seq: message.seq, messageId: message.id, type: message.type, role: message.role, party: party)
            }
            timed.append((0, event(.received, message.createdAtUs, message.sender)))
            timed.append((1, event(.journaled, message.journaledAtUs, message.sender)))
            for delivery in message.deliveries {
                if !delivery.delivered {
                    untimed.append(event(.notDelivered, nil, delivery.party))
                } else if let at = delivery.deliveredAtUs {
                    timed.append((2, event(.delivered, at, delivery.party)))
                } else {
                    untimed.append(event(.delivered, nil, delivery.party))
                }
                if !delivery.acknowledged {
                    untimed.append(event(.notAcknowledged, nil, delivery.party))
                } else if let at = delivery.acknowledgedAtUs {
                    timed.append((3, event(.acknowledged, at, delivery.party)))
                } else {
                    untimed.append(event(.acknowledged, nil, delivery.party))
                }
            }
        }
        // Stable: by time, then seq, then received < journaled < delivered < acknowledged.
        let sorted = timed.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.event.atUs != y.event.atUs { return (x.event.atUs ?? 0) < (y.event.atUs ?? 0) }
            if x.event.seq != y.event.seq { return x.event.seq < y.event.seq }
            if x.order != y.order { return x.order < y.order }
            return a.offset < b.offset
        }
        return sorted.map(\.element.event) + untimed
    }
}
