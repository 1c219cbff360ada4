/// The stable error codes of the wire protocol, grouped in classes like HTTP's:
/// 3xx the request may be retried unchanged later, 4xx the client sent something wrong,
/// 5xx the hub failed. Numbers and names never change meaning; new codes are only added.
/// `Schemas/PROTOCOL.md` lists the same table.
public struct HubErrorCode: Hashable, Sendable, CustomStringConvertible {
    /// The numeric code carried in `WireError.code`.
    public let rawValue: UInt32
    /// The symbolic name carried in `WireError.name`.
    public let name: String

    private init(_ rawValue: UInt32, _ name: String) {
        self.rawValue = rawValue
        self.name = name
    }

    /// A code as an ERROR carried it: one of `all` when the number is known, else a code
    /// this build does not know, kept with the name the hub sent, whose ``errorClass`` still
    /// follows from its number (PROTOCOL.md: "treat an unknown code by its class").
    ///
    /// - Parameters:
    ///   - code: `WireError.code`.
    ///   - name: `WireError.name`.
    public init(wire code: UInt32, name: String) {
        self = HubErrorCode(rawValue: code) ?? HubErrorCode(code, name)
    }

    /// The class of a code: 3 retry, 4 client error, 5 hub error.
    public var codeClass: UInt32 { rawValue / 100 }

    /// What a client should do about a code.
    public enum Class: Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// 3xx: nothing was journaled; send the same request (same id) again later.
        case retryLater
        /// 4xx: the request is wrong (refused input); the same request fails again.
        case refused
        /// 5xx, and any code outside 3xx–5xx: the hub failed; nothing was journaled, and
        /// retrying the same request later is safe.
        case hubFailure

        public var description: String {
            switch self {
            case .retryLater: "retry later"
            case .refused: "refused"
            case .hubFailure: "hub failure"
            }
        }
    }

    /// The code's class, from its number alone (so it holds for codes added later).
    public var errorClass: Class {
        switch rawValue / 100 {
        case 3: .retryLater
        case 4: .refused
        default: .hubFailure
        }
    }

    public var description: String { "\(rawValue) \(name)" }

    // 3xx: retry later
    /// The journal's queue is full; resubmit the same message (same id) later.
    public static let hubBusy = HubErrorCode(301, "HUB_BUSY")
    /// The hub is shutting down; resubmit to it (or another node) later.
    public static let shuttingDown = HubErrorCode(302, "SHUTTING_DOWN")
    /// The journal's database cannot be reached or has no writable primary right now (a
    /// PostgreSQL primary is being replaced); the submission may or may not have been
    /// journaled: resubmit the same message (same id) later, to this hub or another node.
    public static let journalUnavailable = HubErrorCode(303, "JOURNAL_UNAVAILABLE")

    // 4xx: the client's fault
    /// A frame could not be decoded as the protocol's `Command`.
    public static let malformedFrame = HubErrorCode(400, "MALFORMED_FRAME")
    /// The frame set has the wrong number of frames for its command.
    public static let wrongFrameCount = HubErrorCode(401, "WRONG_FRAME_COUNT")
    /// `Command.version` is not one the hub speaks.
    public static let unsupportedVersion = HubErrorCode(402, "UNSUPPORTED_VERSION")
    /// The header names a sender other than the authenticated party.
    public static let senderMismatch = HubErrorCode(403, "SENDER_MISMATCH")
    /// The header's type is empty or not declared in the hub's configuration.
    public static let unknownType = HubErrorCode(404, "UNKNOWN_TYPE")
    /// The header has no message id, or an id longer than 128 bytes.
    public static let missingId = HubErrorCode(405, "MISSING_ID")
    /// The body is larger than the configured limit.
    public static let bodyTooLarge = HubErrorCode(406, "BODY_TOO_LARGE")
    /// An explicit recipient is not a configured party.
    public static let unknownRecipient = HubErrorCode(407, "UNKNOWN_RECIPIENT")
    /// The command is not one a client may send (WELCOME, DELIVER, ...), or none is set.
    public static let unexpectedCommand = HubErrorCode(408, "UNEXPECTED_COMMAND")
    /// An ACK arrived on a connection that has no receiving session (no HELLO with receive).
    public static let noSession = HubErrorCode(409, "NO_SESSION")
    /// An ACK names a seq beyond what was delivered to this session.
    public static let badAck = HubErrorCode(410, "BAD_ACK")
    /// The connection carries no authenticated party (should not happen with CURVE on).
    public static let notAuthenticated = HubErrorCode(411, "NOT_AUTHENTICATED")
    /// The type is declared with a protobuf message and the body is not well-formed protobuf.
    public static let malformedBody = HubErrorCode(412, "MALFORMED_BODY")
    /// With flows on: the filing's enterprise is not registered, or not accepted by the
    /// department the filing needs.
    public static let notRegistered = HubErrorCode(413, "NOT_REGISTERED")
    /// With flows on: a department has blacklisted the filing's enterprise.
    public static let blacklisted = HubErrorCode(414, "BLACKLISTED")
    /// With flows on: the sender may not send this flow message (credit notice, query,
    /// summary request).
    public static let notEntitled = HubErrorCode(415, "NOT_ENTITLED")
    /// A REPLAY that makes no sense: both `from_seq` and `since_us`, a negative time, a seq
    /// out of range, or a connection that already holds a session.
    public static let badReplay = HubErrorCode(416, "BAD_REPLAY")
    /// The command frame is larger than 4 KiB without the body (section 3 of PROTOCOL.md), or
    /// a header's `correlation_id` is longer than 128 bytes.
    public static let headerTooLarge = HubErrorCode(417, "HEADER_TOO_LARGE")
    /// The frame set came from a connection whose routing id the client chose
    /// (`ZMQ_ROUTING_ID`); the hub assigns routing ids and ignores such frame sets.
    public static let routingIdSet = HubErrorCode(418, "ROUTING_ID_SET")
    /// A SUBMIT_BATCH that cannot be read as a batch: no entries or too many, not one body
    /// size per header, or sizes that do not add up to the bodies frame (section 16).
    public static let badBatch = HubErrorCode(419, "BAD_BATCH")
    /// The hub's configuration no longer accepts the CURVE key this connection authenticated
    /// with (a reload removed the party or revoked that key): its session is closed, every
    /// later frame set on the connection gets this ERROR, and a new handshake with the key
    /// is refused. Final for the key: close the connection; only another key helps.
    public static let keyRevoked = HubErrorCode(430, "KEY_REVOKED")

    // 5xx: the hub's fault
    /// An unexpected failure inside the hub; the request was not journaled.
    public static let internalError = HubErrorCode(500, "INTERNAL")
    /// The journal could not be written; the request was not journaled.
    public static let journalFailure = HubErrorCode(501, "JOURNAL_FAILURE")
    /// A stored record failed its integrity check (or the journal file is damaged where a
    /// read needed it): the session's stream stops before that record, which is never
    /// delivered. An operator must run `swhub verify` and repair the journal; the hub retries
    /// the read every 30 seconds and the stream resumes once the record reads back intact.
    public static let journalDamaged = HubErrorCode(502, "JOURNAL_DAMAGED")
    /// The hub runs read-only (`swhub serve --salvage`, over a damaged journal): it delivers
    /// and replays what the journal holds but journals nothing; submit to a hub that writes.
    public static let readOnly = HubErrorCode(503, "READ_ONLY")
    /// Carried in a `flow.Answer`: the department a query was relayed to did not answer in time.
    public static let queryTimeout = HubErrorCode(504, "QUERY_TIMEOUT")

    /// Every code, in numeric order.
    public static let all: [HubErrorCode] = [
        .hubBusy, .shuttingDown, .journalUnavailable,
        .malformedFrame, .wrongFrameCount, .unsupportedVersion, .senderMismatch, .unknownType,
        .missingId, .bodyTooLarge, .unknownRecipient, .unexpectedCommand, .noSession, .badAck,
        .notAuthenticated, .malformedBody, .notRegistered, .blacklisted, .notEntitled,
        .badReplay, .headerTooLarge, .routingIdSet, .badBatch, .keyRevoked,
        .internalError, .journalFailure, .journalDamaged, .readOnly, .queryTimeout,
    ]

    /// The code with this number, if it is one of `all`.
    public init?(rawValue: UInt32) {
        guard let code = Self.all.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = code
    }
}
