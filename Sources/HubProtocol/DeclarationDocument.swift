/// One of the four documents of a declaration (三单 and the inventory), as the hub names
/// them in the ids of its forwards to customs (`fwd:…:order`).
public enum DeclarationDocument: String, Sendable, Hashable, CaseIterable {
    case order, payment, waybill, inventory

    /// The document's hub message type.
    public var messageType: MessageType {
        switch self {
        case .order: .order
        case .payment: .payment
        case .waybill: .waybill
        case .inventory: .inventory
        }
    }

    /// The document of a message type, nil for types that are not declaration documents.
    ///
    /// - Parameter type: A hub message type.
    public init?(_ type: MessageType) {
        guard let document = Self.allCases.first(where: { $0.messageType == type }) else { return nil }
        self = document
    }
}
