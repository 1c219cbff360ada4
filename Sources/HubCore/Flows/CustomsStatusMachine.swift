import HubProtocol

/// The customs status of one inventory, moved by customs receipts along the standard's
/// states (1/2/3/4 portal, 100 rejected, 120 accepted, 300 manual review, 399 approved,
/// 500–599 inspection and detention, 700 returned, 800 released, 899 closed; negative
/// codes are processing errors). A value: receipts in, actions out.
///
/// Receipts can arrive late or twice. A receipt never moves the status backwards (a late
/// 399 after 800 is recorded but changes nothing), terminal states (100, 700, 899) end
/// the flow, and a negative status reports the error without changing the state. The
/// release (800) is announced once, however often its receipt comes.
public struct CustomsStatusMachine: Sendable, Equatable {
    /// What the flow must do.
    public enum Action: Sendable, Equatable {
        /// The status changed: give the filers unified feedback.
        case statusChanged(CustomsStatus, info: String)
        /// Customs reported a processing error (negative status); the state is unchanged.
        case processingError(CustomsStatus, info: String)
        /// Customs released the goods: send release notices (tax, forex, bank, logistics).
        case released
    }

    /// The current status (`.unspecified` before any receipt).
    public private(set) var status: CustomsStatus = .unspecified
    /// True once the flow can no longer change (rejected, returned or closed).
    public var isFinished: Bool { status.isTerminal }
    private var releaseAnnounced = false

    public init() {}

    /// A receipt's `return_status` and `return_info` arrived.
    public mutating func receipt(status new: CustomsStatus, info: String) -> [Action] {
        if new.isProcessingError { return isFinished ? [] : [.processingError(new, info: info)] }
        // Unlisted codes have no rank and are ignored.
        guard !isFinished, let rank = new.rank, rank > (status.rank ?? -1) else { return [] }
        status = new
        var actions: [Action] = [.statusChanged(new, info: info)]
        if new == .released || (new == .closed && !releaseAnnounced) {
            // A closing receipt implies the release, even if its 800 was lost.
            releaseAnnounced = true
            actions.append(.released)
        }
        return actions
    }
}

/// The status (as its code) and whether the release was announced, for a snapshot
/// (``FlowSnapshot``).
extension CustomsStatusMachine: Codable {
    private enum CodingKeys: String, CodingKey {
        case status, releaseAnnounced
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = CustomsStatus(code: try container.decode(Int32.self, forKey: .status))
        releaseAnnounced = try container.decode(Bool.self, forKey: .releaseAnnounced)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status.code, forKey: .status)
        try container.encode(releaseAnnounced, forKey: .releaseAnnounced)
    }
}
