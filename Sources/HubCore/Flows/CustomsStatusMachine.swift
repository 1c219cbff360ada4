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
        case statusChanged(Int32, info: String)
        /// Customs reported a processing error (negative status); the state is unchanged.
        case processingError(Int32, info: String)
        /// Customs released the goods: send release notices (tax, forex, bank, logistics).
        case released
    }

    /// The current status (0 before any receipt).
    public private(set) var status: Int32 = 0
    /// True once the flow can no longer change (rejected, returned or closed).
    public var isFinished: Bool { Self.terminal.contains(status) }
    private var releaseAnnounced = false

    public init() {}

    /// A receipt's `return_status` and `return_info` arrived.
    public mutating func receipt(status new: Int32, info: String) -> [Action] {
        if new < 0 { return isFinished ? [] : [.processingError(new, info: info)] }
        guard !isFinished, let rank = Self.rank(new), rank > (Self.rank(status) ?? -1) else { return [] }
        status = new
        var actions: [Action] = [.statusChanged(new, info: info)]
        if new == 800 || (new == 899 && !releaseAnnounced) {
            // A closing receipt implies the release, even if its 800 was lost.
            releaseAnnounced = true
            actions.append(.released)
        }
        return actions
    }

    /// States after which nothing changes.
    static let terminal: Set<Int32> = [100, 700, 899]

    /// The order of the states; unknown codes have none and are ignored.
    static func rank(_ status: Int32) -> Int? {
        switch status {
        case 0: 0
        case 1, 2: 1
        case 3, 4: 2
        case 120: 3
        case 300: 4
        case 399: 5
        case 500...599: 6
        case 100, 700, 800: 7
        case 899: 8
        default: nil
        }
    }
}
