extension CN23Codec {
    /// The CSV columns, in the order written: the consignment's, then the item's.
    public static let csvColumns = [
        "consignmentId", "orderNo", "category", "senderName", "senderAddress", "senderCountry", "senderTelephone",
        "addresseeName", "addresseeAddress", "addresseeTelephone", "addresseeCountry", "totalGrossWeight", "postage",
        "currency", "parcels", "itemDescription", "itemQuantity", "itemNetWeight", "itemValue", "itemCurrency",
        "itemHsTariffNumber", "itemOriginCountry",
    ]

    /// The consignment columns that must agree on every row of a consignment.
    private static let consignmentColumns = Array(csvColumns.prefix(15))

    /// The columns the header must have; the others may be left out.
    private static let requiredColumns = ["consignmentId", "orderNo", "addresseeName", "itemDescription"]

    /// The field path of ``CN23Consignment/check(_:)`` a column holds.
    private static let fieldColumns: [String: String] = [
        "consignmentId": "consignmentId", "orderNo": "orderNo", "category": "category", "sender.name": "senderName",
        "sender.address": "senderAddress", "sender.country": "senderCountry", "sender.telephone": "senderTelephone",
        "addressee.name": "addresseeName", "addressee.address": "addresseeAddress",
        "addressee.telephone": "addresseeTelephone", "addressee.country": "addresseeCountry",
        "totalGrossWeight": "totalGrossWeight", "postage": "postage", "currency": "currency", "parcels": "parcels",
        "description": "itemDescription", "quantity": "itemQuantity", "netWeight": "itemNetWeight", "value": "itemValue",
        "hsTariffNumber": "itemHsTariffNumber", "originCountry": "itemOriginCountry",
    ]

    /// The consignments of a CSV file: rows grouped by consignmentId in order of first
    /// appearance; a row whose item columns are all empty adds no item.
    /// - Throws: `FormatError` located "line N, column X" (a consignment column that
    ///   differs from the consignment's first row is `.invalidValue`).
    public static func decodeCSV(_ data: [UInt8]) throws -> [CN23Consignment] {
        try csvConsignments(data).map(\.1)
    }

    /// One row per item (one row with empty item columns for a consignment without
    /// items), with ``csvColumns`` as header.
    public static func encodeCSV(_ consignments: [CN23Consignment]) throws -> [UInt8] {
        var rows: [[String]] = []
        for consignment in consignments {
            let head = [
                consignment.consignmentId, consignment.orderNo, consignment.category.rawValue, consignment.sender.name,
                consignment.sender.address, consignment.sender.country, consignment.sender.telephone,
                consignment.addressee.name, consignment.addressee.address, consignment.addressee.telephone,
                consignment.addressee.country, consignment.totalGrossWeight, consignment.postage, consignment.currency,
                consignment.parcels.map(String.init) ?? "",
            ]
            let items = consignment.items.map {
                [
                    $0.description, $0.quantity.map(String.init) ?? "", $0.netWeight, $0.value, $0.currency, $0.hsTariffNumber,
                    $0.originCountry,
                ]
            }
            for item in items.isEmpty ? [Array(repeating: "", count: 7)] : items { rows.append(head + item) }
        }
        return try CSVTable.write(header: csvColumns, rows: rows)
    }

    /// Consignments with the line of their first row.
    static func csvConsignments(_ data: [UInt8]) throws -> [(Int, CN23Consignment)] {
        struct Group {
            var first: CSVRecord
            var consignment: CN23Consignment
            var itemLines: [Int] = []
        }
        var groups: [Group] = []
        var index: [String: Int] = [:]
        for record in try CSVTable.read(data, requiredColumns: requiredColumns) {
            let id = record.optional("consignmentId")
            if let existing = index[id] {
                let first = groups[existing].first
                for column in consignmentColumns where record.optional(column) != first.optional(column) {
                    throw FormatError(
                        .invalidValue, at: record.location(column),
                        "differs from line \(first.line) of consignment \(id)")
                }
            } else {
                index[id] = groups.count
                groups.append(Group(first: record, consignment: try consignment(record)))
            }
            if let item = try item(record) {
                guard let position = index[id] else { continue }
                groups[position].consignment.items.append(item)
                groups[position].itemLines.append(record.line)
            }
        }
        return try groups.map { group in
            try group.consignment.check { field in
                let itemNumber = field.hasPrefix("items[") ? Int(field.dropFirst(6).prefix { $0 != "]" }) : nil
                let line = itemNumber.flatMap { group.itemLines.indices.contains($0 - 1) ? group.itemLines[$0 - 1] : nil }
                let key = itemNumber == nil ? field : String(field.drop { $0 != "." }.dropFirst())
                return "line \(line ?? group.first.line), column \(fieldColumns[key] ?? key)"
            }
            return (group.first.line, group.consignment)
        }
    }

    private static func consignment(_ record: CSVRecord) throws -> CN23Consignment {
        let categoryText = record.optional("category")
        guard let category = categoryText.isEmpty ? .saleOfGoods : CN23Category(rawValue: categoryText) else {
            throw FormatError(
                .invalidValue, at: record.location("category"),
                "'\(categoryText)' is not one of \(CN23Category.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return CN23Consignment(
            consignmentId: record.optional("consignmentId"), orderNo: record.optional("orderNo"), category: category,
            sender: CN23Party(
                name: record.optional("senderName"), address: record.optional("senderAddress"),
                country: record.optional("senderCountry"), telephone: record.optional("senderTelephone")),
            addressee: CN23Party(
                name: record.optional("addresseeName"), address: record.optional("addresseeAddress"),
                country: record.optional("addresseeCountry"), telephone: record.optional("addresseeTelephone")),
            totalGrossWeight: record.optional("totalGrossWeight"), postage: record.optional("postage"),
            currency: record.optional("currency"), parcels: try count(record, "parcels"))
    }

    /// The row's item, nil when its item columns are all empty.
    private static func item(_ record: CSVRecord) throws -> CN23Item? {
        let columns = csvColumns.dropFirst(15)
        if columns.allSatisfy({ record.optional($0).isEmpty }) { return nil }
        return CN23Item(
            description: record.optional("itemDescription"), quantity: try count(record, "itemQuantity"),
            netWeight: record.optional("itemNetWeight"), value: record.optional("itemValue"),
            currency: record.optional("itemCurrency"), hsTariffNumber: record.optional("itemHsTariffNumber"),
            originCountry: record.optional("itemOriginCountry"))
    }

    private static func count(_ record: CSVRecord, _ column: String) throws -> Int? {
        let text = record.optional(column)
        if text.isEmpty { return nil }
        guard let value = Int(text) else {
            throw FormatError(.invalidValue, at: record.location(column), "'\(text)' is not a whole number")
        }
        return value
    }
}
