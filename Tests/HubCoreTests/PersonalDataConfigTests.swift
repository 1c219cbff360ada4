import HubConfigKit
import HubCore
import Testing

/// `personal_data:` in the hub config: the built-in lists, replacing a type's list, and
/// every refusal naming its key.
@Suite("HubConfig personal_data section")
struct PersonalDataConfigTests {
    static let types =
        "types:\n  - demo.Note\n  - {name: ceb.Order, message: swhub.v1.Order}\n  - {name: my.Payment, message: swhub.v1.Payment}\n"

    static func parse(_ section: String) throws -> HubConfig {
        try HubConfigTests.parse(
            StoreConfigTests.hubLines + "  journal: j.sqlite\n" + types
                + "parties:\n  - id: enterprise\n    public_key: \"\(TestKeys.a)\"\n"
                + section)
    }

    @Test func builtInListsCoverTypedBusinessMessages() throws {
        let personal = try Self.parse("").personalData
        #expect(personal.fields["ceb.Order"] == HubConfig.PersonalData.defaultFields["swhub.v1.Order"])
        #expect(personal.fields["my.Payment"] == ["payer_id_number", "payer_name", "telephone"])
        #expect(personal.fields["demo.Note"] == nil)
        #expect(personal.splitter(for: "ceb.Order") != nil && personal.splitter(for: "demo.Note") == nil)
    }

    @Test func aTypesListReplacesItsDefaultAndEmptyMeansNone() throws {
        let personal = try Self.parse(
            "personal_data:\n  fields:\n    ceb.Order: [buyer_id_number, order_list.item_name]\n    my.Payment: []\n"
        )
        .personalData
        #expect(personal.fields["ceb.Order"] == ["buyer_id_number", "order_list.item_name"])
        #expect(personal.paths["ceb.Order"] == [[21], [31, 3]])
        #expect(personal.fields["my.Payment"] == nil)
    }

    @Test func defaultsCanBeTurnedOff() throws {
        let personal = try Self.parse("personal_data:\n  defaults: false\n  fields: {my.Payment: [payer_name]}\n").personalData
        #expect(personal.fields == ["my.Payment": ["payer_name"]])
    }

    @Test(arguments: [
        (
            "personal_data:\n  fields: {ceb.Order: [buyer_nam]}\n",
            "personal_data.fields.ceb.Order: 'swhub.v1.Order' has no field 'buyer_nam'"
        ),
        ("personal_data:\n  fields: {demo.Note: [x]}\n", "personal_data.fields.demo.Note: 'demo.Note' is not a typed message type"),
        (
            "personal_data:\n  fields: {ceb.Order: [buyer_name.x]}\n",
            "personal_data.fields.ceb.Order: 'buyer_name' in 'swhub.v1.Order' is not a message"
        ),
        ("personal_data:\n  fields: {ceb.Order: [buyer_name, buyer_name]}\n", "personal_data.fields.ceb.Order names a field twice"),
        ("personal_data:\n  default: false\n", "default"),
    ])
    func mistakesNameTheirKey(section: String, expected: String) throws {
        do {
            _ = try Self.parse(section)
            Issue.record("accepted: \(section)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }
}
