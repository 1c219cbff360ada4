/// The order types of the customs standard (`orderType`): an import order (CEB311) is "I";
/// an export order (CEB303) is "E" (B2C), "B" (B2B export, 9710) or "W" (overseas
/// warehouse, 9810).
public enum OrderType {
    /// The export order types.
    public static let exports: Set<String> = ["E", "B", "W"]

    /// Whether an order of this type is an export (CEB303).
    public static func isExport(_ orderType: String) -> Bool { exports.contains(orderType) }
}

extension BizOrder {
    /// Whether the order is an export (CEB303: order type E, B or W).
    public var isExport: Bool { OrderType.isExport(orderType) }
}
