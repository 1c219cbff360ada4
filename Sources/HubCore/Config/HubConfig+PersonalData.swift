import HubConfigKit

extension HubConfig {
    /// Which fields of which typed message types hold personal data (`personal_data:`):
    /// the fields the journal keeps encrypted. Built-in defaults cover the business
    /// messages (``PersonalData/defaultFields``); `personal_data.fields` replaces the list
    /// of the types it names (`[]`: none), and `defaults: false` drops the built-in lists.
    public struct PersonalData: Sendable, Equatable {
        /// Dotted field paths by message type, for every typed type that has any.
        public var fields: [String: [String]]
        /// The same paths as field numbers, resolved against the schema.
        public var paths: [String: [[Int32]]]

        /// No personal fields.
        public init() {
            fields = [:]
            paths = [:]
        }

        /// The splitter for bodies of `type`, nil when the type has no personal fields.
        public func splitter(for type: String) -> PersonalFieldSplitter? {
            paths[type].map { PersonalFieldSplitter(paths: $0) }
        }

        /// The built-in personal fields, by body message: the natural persons of a filing
        /// (buyer, payer, consignee, an enterprise's contact person), their ID numbers,
        /// telephones and addresses, bank accounts, and what may carry any of them (a
        /// query's criteria values, an answer's records).
        public static let defaultFields: [String: [String]] = [
            "swhub.v1.Order": [
                "buyer_reg_no", "buyer_name", "buyer_telephone", "buyer_id_number", "consignee", "consignee_telephone",
                "consignee_address",
            ],
            "swhub.v1.Payment": ["payer_id_number", "payer_name", "telephone"],
            "swhub.v1.Waybill": ["consignee", "consignee_address", "consignee_telephone"],
            "swhub.v1.Inventory": ["buyer_id_number", "buyer_name", "buyer_telephone", "consignee_address"],
            "swhub.v1.Cancellation": ["buyer_id_number", "buyer_name", "buyer_telephone"],
            "swhub.v1.ReturnRequest": ["buyer_id_number", "buyer_name", "buyer_telephone"],
            "swhub.v1.Registration": [
                "contact.name", "contact.telephone", "contact.email", "contact.address", "bank_accounts.account_no",
                "bank_accounts.account_name",
            ],
            "swhub.v1.Query": ["criteria.value"],
            "swhub.v1.Answer": ["records.body"],
            "swhub.v1.RiskNotice": ["personal_evidence.value"],
        ]
    }

    /// `personal_data:` as written in the YAML.
    struct RawPersonalData: Decodable {
        var defaults: Bool?
        var fields: [String: [String]]?
    }

    /// The personal fields of every typed type in `typeMessages`, checked against the schema:
    /// an unknown type or field path is an error naming its key.
    static func parsePersonalData(_ raw: RawPersonalData?, typeMessages: [String: String]) throws -> PersonalData {
        var byType: [String: [String]] = [:]
        if raw?.defaults ?? true {
            for (type, message) in typeMessages {
                if let fields = PersonalData.defaultFields[message] { byType[type] = fields }
            }
        }
        for (type, fields) in raw?.fields ?? [:] {
            guard typeMessages[type] != nil else {
                throw ConfigError(
                    .unknownReference,
                    "personal_data.fields.\(type): '\(type)' is not a typed message type of this hub (types: with message:)")
            }
            guard Set(fields).count == fields.count else {
                throw ConfigError(.duplicate, "personal_data.fields.\(type) names a field twice")
            }
            byType[type] = fields
        }
        var personal = PersonalData()
        let schema = try schema()
        for (type, fields) in byType where !fields.isEmpty {
            guard let message = typeMessages[type] else { continue }
            var paths: [[Int32]] = []
            for field in fields {
                do {
                    paths.append(try schema.resolve(field, in: message))
                } catch let error as ConfigError {
                    throw ConfigError(error.code, "personal_data.fields.\(type): \(error.reason)")
                }
            }
            personal.fields[type] = fields
            personal.paths[type] = paths
        }
        return personal
    }
}
