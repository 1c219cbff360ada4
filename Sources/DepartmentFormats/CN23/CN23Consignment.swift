/// One postal consignment as its CN23 customs declaration describes it, plus the order
/// number the hub links waybills by. Amounts and weights are decimal strings (kg), never
/// floating point; "" means not given.
public struct CN23Consignment: Codable, Sendable, Equatable {
    /// The consignment's identifier (the item barcode / waybill number, e.g. "RR123456785CN").
    public var consignmentId: String
    /// The e-commerce order the consignment ships (not a CN23 box: added for the hub).
    public var orderNo: String
    /// The CN23 category of item.
    public var category: CN23Category
    /// The sender (on export the seller, ebc).
    public var sender: CN23Party
    /// The addressee (the waybill's consignee).
    public var addressee: CN23Party
    /// The content pieces.
    public var items: [CN23Item]
    /// Total gross weight, kg.
    public var totalGrossWeight: String
    /// Postage / fees.
    public var postage: String
    /// ISO 4217 code of the postage.
    public var currency: String
    /// Number of parcels; nil when not given (one).
    public var parcels: Int?

    /// - Parameters: see the properties; only the identifier and the order number have no default.
    public init(
        consignmentId: String, orderNo: String, category: CN23Category = .saleOfGoods, sender: CN23Party = CN23Party(),
        addressee: CN23Party = CN23Party(), items: [CN23Item] = [], totalGrossWeight: String = "", postage: String = "",
        currency: String = "", parcels: Int? = nil
    ) {
        self.consignmentId = consignmentId
        self.orderNo = orderNo
        self.category = category
        self.sender = sender
        self.addressee = addressee
        self.items = items
        self.totalGrossWeight = totalGrossWeight
        self.postage = postage
        self.currency = currency
        self.parcels = parcels
    }

    enum CodingKeys: String, CodingKey {
        case consignmentId, orderNo, category, sender, addressee, items, totalGrossWeight, postage, currency, parcels
    }

    /// Keys other than consignmentId may be absent (empty values, category sale of goods).
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        consignmentId = try values.decode(String.self, forKey: .consignmentId)
        orderNo = try values.decodeIfPresent(String.self, forKey: .orderNo) ?? ""
        category = try values.decodeIfPresent(CN23Category.self, forKey: .category) ?? .saleOfGoods
        sender = try values.decodeIfPresent(CN23Party.self, forKey: .sender) ?? CN23Party()
        addressee = try values.decodeIfPresent(CN23Party.self, forKey: .addressee) ?? CN23Party()
        items = try values.decodeIfPresent([CN23Item].self, forKey: .items) ?? []
        totalGrossWeight = try values.decodeIfPresent(String.self, forKey: .totalGrossWeight) ?? ""
        postage = try values.decodeIfPresent(String.self, forKey: .postage) ?? ""
        currency = try values.decodeIfPresent(String.self, forKey: .currency) ?? ""
        parcels = try values.decodeIfPresent(Int.self, forKey: .parcels)
    }
}

/// The sender or the addressee of a CN23.
public struct CN23Party: Codable, Sendable, Equatable {
    /// Name of the person or company.
    public var name: String
    /// The whole postal address, one text (line breaks allowed).
    public var address: String
    /// ISO 3166-1 alpha-2.
    public var country: String
    /// Telephone number, as written.
    public var telephone: String

    /// - Parameters: see the properties; all default to "".
    public init(name: String = "", address: String = "", country: String = "", telephone: String = "") {
        self.name = name
        self.address = address
        self.country = country
        self.telephone = telephone
    }

    enum CodingKeys: String, CodingKey { case name, address, country, telephone }

    /// Every key may be absent.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        name = try values.decodeIfPresent(String.self, forKey: .name) ?? ""
        address = try values.decodeIfPresent(String.self, forKey: .address) ?? ""
        country = try values.decodeIfPresent(String.self, forKey: .country) ?? ""
        telephone = try values.decodeIfPresent(String.self, forKey: .telephone) ?? ""
    }
}

/// One content piece of a CN23.
public struct CN23Item: Codable, Sendable, Equatable {
    /// Detailed description of contents.
    public var description: String
    /// Number of units; nil when not given.
    public var quantity: Int?
    /// Net weight, kg.
    public var netWeight: String
    /// Declared value, decimal string.
    public var value: String
    /// ISO 4217 code of the value.
    public var currency: String
    /// HS tariff number (6 to 10 digits, dots allowed).
    public var hsTariffNumber: String
    /// Country of origin, ISO 3166-1 alpha-2.
    public var originCountry: String

    /// - Parameters: see the properties; only the description has no default.
    public init(
        description: String, quantity: Int? = nil, netWeight: String = "", value: String = "", currency: String = "",
        hsTariffNumber: String = "", originCountry: String = ""
    ) {
        self.description = description
        self.quantity = quantity
        self.netWeight = netWeight
        self.value = value
        self.currency = currency
        self.hsTariffNumber = hsTariffNumber
        self.originCountry = originCountry
    }

    enum CodingKeys: String, CodingKey {
        case description, quantity, netWeight, value, currency, hsTariffNumber, originCountry
    }

    /// Keys other than description may be absent.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        description = try values.decode(String.self, forKey: .description)
        quantity = try values.decodeIfPresent(Int.self, forKey: .quantity)
        netWeight = try values.decodeIfPresent(String.self, forKey: .netWeight) ?? ""
        value = try values.decodeIfPresent(String.self, forKey: .value) ?? ""
        currency = try values.decodeIfPresent(String.self, forKey: .currency) ?? ""
        hsTariffNumber = try values.decodeIfPresent(String.self, forKey: .hsTariffNumber) ?? ""
        originCountry = try values.decodeIfPresent(String.self, forKey: .originCountry) ?? ""
    }
}

/// The CN23 "category of item" boxes.
public enum CN23Category: String, Codable, Sendable, CaseIterable {
    case gift
    case documents
    case commercialSample = "commercial_sample"
    case returnedGoods = "returned_goods"
    case saleOfGoods = "sale_of_goods"
    case other
}
