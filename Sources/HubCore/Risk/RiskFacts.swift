import Foundation
import HubProtocol

/// What the risk rules read of one declaration: who bought, from whom, what, for how much
/// (amounts in CNY at `statistics.cny_rates`; nil when a currency has no rate or an amount
/// is not a decimal), and when (journal time).
public struct RiskFacts: Sendable, Equatable {
    /// One goods line of the inventory.
    public struct Line: Sendable, Equatable {
        /// The HS code (gcode): the goods across platforms.
        public var goods: String
        /// Unit price in CNY.
        public var unitPriceCny: Decimal?
    }

    /// The declaration's inventory (filer and message id).
    public var subject: FlowKey
    public var orderNo: String
    /// The e-commerce enterprise's customs code and name.
    public var ebcCode: String
    public var ebcName: String
    /// The enterprise's unified social credit code, when the hub knows its registration.
    public var enterprise: String?
    /// "I" import, "E" export.
    public var ieFlag: String
    public var tradeMode: String
    /// The buyer's id number (inventory's, else the order's); empty on exports.
    public var buyerId: String
    public var consignee: String
    /// The buyer's and the consignee's telephones, each once, normalized.
    public var phones: [String]
    /// The consignee address, normalized.
    public var address: String
    /// The purchase: the order's goods value plus freight, CNY.
    public var purchaseCny: Decimal?
    /// The payment's amount paid, CNY.
    public var paidCny: Decimal?
    /// The inventory's declared value: the sum of its lines' total prices, CNY.
    public var declaredCny: Decimal?
    public var lines: [Line]
    /// When the declaration was assessed, µs since the epoch (journal time).
    public var atUs: Int64

    /// The facts of `declaration` at journal time `atUs`, amounts turned into CNY at `rates`.
    public init(
        _ declaration: DeclarationLinker.Declaration, enterprise: String?, rates: HubConfig.Statistics, atUs: Int64
    ) {
        let inventory = declaration.inventory.document
        let order = declaration.order.document
        let payment = declaration.payment.document
        subject = FlowKey(sender: declaration.inventory.sender, id: declaration.inventory.id)
        orderNo = inventory.orderNo
        ebcCode = inventory.ebcCode
        ebcName = inventory.ebcName
        self.enterprise = enterprise
        ieFlag = inventory.ieFlag
        tradeMode = inventory.tradeMode
        buyerId = Self.normalized(inventory.buyerIDNumber.isEmpty ? order.buyerIDNumber : inventory.buyerIDNumber)
        consignee = Self.normalized(order.consignee)
        var phones: [String] = []
        for phone in [order.buyerTelephone, inventory.buyerTelephone, order.consigneeTelephone].map(Self.normalized)
        where !phone.isEmpty && !phones.contains(phone) {
            phones.append(phone)
        }
        self.phones = phones
        address = Self.normalized(order.consigneeAddress.isEmpty ? inventory.consigneeAddress : order.consigneeAddress)
        let goods = Self.decimal(order.goodsValue)
        let freight = order.freight.isEmpty ? 0 : Self.decimal(order.freight)
        purchaseCny = goods.flatMap { goods in freight.flatMap { Self.cny(goods + $0, order.currency, rates) } }
        paidCny = Self.decimal(payment.amountPaid).flatMap { Self.cny($0, payment.currency, rates) }
        var declared: Decimal? = inventory.inventoryList.isEmpty ? nil : 0
        var lines: [Line] = []
        for item in inventory.inventoryList {
            let total = Self.decimal(item.totalPrice).flatMap { Self.cny($0, item.currency, rates) }
            declared = declared.flatMap { sum in total.map { sum + $0 } }
            let unit = Self.decimal(item.price).flatMap { Self.cny($0, item.currency, rates) }
            if !item.gcode.isEmpty { lines.append(Line(goods: item.gcode, unitPriceCny: unit)) }
        }
        declaredCny = declared
        self.lines = lines
        self.atUs = atUs
    }

    /// Whether the declaration is a cross-border retail import of one of `modes`.
    public func isRetailImport(modes: [String]) -> Bool { ieFlag == "I" && modes.contains(tradeMode) }

    static func decimal(_ text: String) -> Decimal? { DeclarationMatcher.decimal(text) }

    static func cny(_ amount: Decimal, _ currency: String, _ rates: HubConfig.Statistics) -> Decimal? {
        rates.rate(currency.isEmpty ? "142" : currency).map { amount * $0 }
    }

    /// Without spaces, lower case: "  138 0000 0000" and "1380000 0000" are one phone.
    static func normalized(_ text: String) -> String {
        String(text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }).lowercased()
    }
}

extension Decimal {
    /// Two decimals, for evidence.
    var cnyText: String {
        var value = self
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 2, .plain)
        return NSDecimalNumber(decimal: rounded).stringValue
    }
}
