import Foundation
import HubProtocol

/// How CN23 data becomes a hub waybill and back.
public struct CN23Options: Sendable, Equatable {
    /// "E": the post carries an export parcel (CEB505: gross_weight, ebc = the sender);
    /// "I": an import parcel (CEB511: weight).
    public var ieFlag: String
    /// The post's customs code and name as logistics company (logisticsCode/Name).
    public var logisticsCode: String
    /// The post's registered name (logisticsName).
    public var logisticsName: String
    /// The seller's customs code (ebcCode), export only: a CN23 has no customs codes.
    public var ebcCode: String
    /// appTime of the waybills read, YYYYMMDDhhmmss; "" leaves it to the adapter.
    public var appTime: String
    /// The category written for a waybill (a waybill has none).
    public var category: CN23Category

    /// - Parameters: see the properties.
    public init(
        ieFlag: String = "E", logisticsCode: String = "", logisticsName: String = "", ebcCode: String = "",
        appTime: String = "", category: CN23Category = .saleOfGoods
    ) {
        self.ieFlag = ieFlag
        self.logisticsCode = logisticsCode
        self.logisticsName = logisticsName
        self.ebcCode = ebcCode
        self.appTime = appTime
        self.category = category
    }
}

extension CN23Codec {
    /// The separator of item descriptions in goods_info.
    public static let goodsInfoSeparator = "; "

    /// The waybill of a consignment. Lost on the way: the category, the sender's address
    /// and country (and on import the sender altogether), the addressee's country, and per
    /// item the quantity, net weight, value and its currency, HS tariff number and origin
    /// (only the descriptions survive, joined in goods_info).
    /// - Throws: `FormatError.invalidValue` for a currency not in ``CurrencyCode``, or an
    ///   ieFlag other than E or I.
    public static func waybill(from consignment: CN23Consignment, options: CN23Options, guid: String = "") throws -> BizWaybill {
        guard options.ieFlag == "E" || options.ieFlag == "I" else {
            throw FormatError(.invalidValue, at: "options.ieFlag", "'\(options.ieFlag)' is neither E nor I")
        }
        var waybill = BizWaybill()
        waybill.guid = guid
        waybill.appType = .new
        waybill.appTime = options.appTime
        waybill.appStatus = .declared
        waybill.ieFlag = options.ieFlag
        waybill.logisticsCode = options.logisticsCode
        waybill.logisticsName = options.logisticsName
        waybill.logisticsNo = consignment.consignmentId
        waybill.orderNo = consignment.orderNo
        waybill.freight = consignment.postage
        if !consignment.currency.isEmpty {
            waybill.currency = try CurrencyCode.customsCode(forISO: consignment.currency, at: "currency")
        }
        if options.ieFlag == "E" {
            waybill.grossWeight = consignment.totalGrossWeight
            waybill.ebcCode = options.ebcCode
            waybill.ebcName = consignment.sender.name
            waybill.ebcTelephone = consignment.sender.telephone
        } else {
            waybill.weight = consignment.totalGrossWeight
        }
        waybill.packNo = Int32(clamping: consignment.parcels ?? 1)
        waybill.goodsInfo = consignment.items.map(\.description).joined(separator: goodsInfoSeparator)
        waybill.consignee = consignment.addressee.name
        waybill.consigneeAddress = consignment.addressee.address
        waybill.consigneeTelephone = consignment.addressee.telephone
        return waybill
    }

    /// The consignment of a waybill, as far as the waybill holds it: one item per
    /// goods_info part (description only), the category from the options, no countries,
    /// the sender from ebc_name/ebc_telephone (export waybills have them).
    /// - Throws: `FormatError.invalidValue` for a customs currency not in ``CurrencyCode``.
    public static func consignment(from waybill: BizWaybill, options: CN23Options) throws -> CN23Consignment {
        let descriptions = waybill.goodsInfo.isEmpty ? [] : waybill.goodsInfo.components(separatedBy: goodsInfoSeparator)
        let currency = waybill.currency.isEmpty ? "" : try CurrencyCode.isoCode(forCustoms: waybill.currency, at: "currency")
        return CN23Consignment(
            consignmentId: waybill.logisticsNo, orderNo: waybill.orderNo, category: options.category,
            sender: CN23Party(name: waybill.ebcName, telephone: waybill.ebcTelephone),
            addressee: CN23Party(
                name: waybill.consignee, address: waybill.consigneeAddress, telephone: waybill.consigneeTelephone),
            items: descriptions.map { CN23Item(description: $0) },
            totalGrossWeight: waybill.grossWeight.isEmpty ? waybill.weight : waybill.grossWeight, postage: waybill.freight,
            currency: currency,
            parcels: waybill.packNo > 0 ? Int(waybill.packNo) : nil)
    }
}
