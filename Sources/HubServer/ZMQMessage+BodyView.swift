import HubCore
import ZeroMQ

extension ZMQMessage {
    /// This body as `view` shows it: a zero-copy copy of the message when whole, else a new
    /// message with the hidden fields removed (or empty, headers only).
    func viewed(through view: ObserverPolicy.BodyView) throws -> ZMQMessage {
        if case .whole = view { return try copy() }
        return ZMQMessage(bytes: try withUnsafeBytes { try view.apply(to: $0) })
    }
}
