/// What a party is in the single window: one of the departments, or an enterprise role
/// (the same roles as `EnterpriseRole` in `Schemas/business.proto`). Flows find "the
/// customs department" or "the payment company" through these.
public enum PartyRole: String, CaseIterable, Sendable, Codable {
    // Departments
    case customs, tax, forex, post, bank
    // Enterprise roles
    case platform
    case ecommerceEnterprise = "ecommerce_enterprise"
    case paymentCompany = "payment_company"
    case logisticsCompany = "logistics_company"
    case declarationAgent = "declaration_agent"

    /// True for the departments that receive filings (customs, tax, forex, post, bank).
    public var isDepartment: Bool {
        switch self {
        case .customs, .tax, .forex, .post, .bank: true
        default: false
        }
    }
}
