import Adapters
import Foundation
import Testing

/// The `adapter:` section of the department configs, the shipped examples included.
@Suite("Adapter settings")
struct AdapterSettingsTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Deploy")

    @Test(arguments: ["customs", "tax", "forex", "post", "bank"])
    func shippedExamplesParse(department: String) throws {
        let path = Self.deploy.appendingPathComponent("adapter-\(department).yaml").path
        let settings = try AdapterSettings.load(path: path)
        #expect(settings.folders.inbox.path == Self.deploy.appendingPathComponent("var/\(department)/in").path)
        #expect(settings.folders.errors.lastPathComponent == "errors")
        #expect(settings.pollMs == 500)
        if department == "bank" {
            #expect(settings.bank.ieFlag == "E" && settings.bank.settlement == "pacs.008" && settings.bank.payCode == "312226T001")
        }
        if department == "customs" {
            #expect(
                settings.customs.dxpId == "DXPENT0000000001" && settings.customs.dxpReceiver == "DXPEDCCEB0000002"
                    && !settings.customs.dxpEnvelope)
        }
        if department == "post" { #expect(settings.post.encoding == "csv") }
    }

    static func load(_ yaml: String) throws -> AdapterSettings {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("adapter-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try AdapterSettings.load(path: file.path)
    }

    @Test func cbprPlusSettlementIsChosenBySetting() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("adapter-cbpr-\(UUID().uuidString)").path
        let plain = try Self.load("adapter:\n  folder: \(root)\n  bank: {bic: BKCHCNBJ}\n")
        #expect(!plain.bank.cbprPlus && plain.bank.cbprBusinessService == "swift.cbprplus.03")
        let cbpr = try Self.load(
            "adapter:\n  folder: \(root)\n  bank: {bic: BKCHCNBJ, cbpr_plus: true, cbpr_business_service: swift.cbprplus.04}\n")
        #expect(cbpr.bank.cbprPlus && cbpr.bank.cbprBusinessService == "swift.cbprplus.04")
    }

    @Test func foldersCanBeNamedOneByOne() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("adapter-folders-\(UUID().uuidString)").path
        let settings = try Self.load("adapter:\n  inbox: \(root)/x/incoming\n  outbox: \(root)/y/outgoing\n  errors: \(root)/z/bad\n")
        #expect(settings.folders.inbox.path == "\(root)/x/incoming" && settings.folders.outbox.path == "\(root)/y/outgoing")
        #expect(settings.folders.errors.path == "\(root)/z/bad" && settings.folders.archive.path == "\(root)/x/archive")
    }

    @Test(arguments: [
        ("party: x\n", "no `adapter:` section"),
        ("adapter:\n  poll_ms: 500\n", "needs `folder`"),
        ("adapter:\n  folder: a\n  poll_ms: 1\n", "poll_ms"),
        ("adapter:\n  folder: a\n  bank: {ie_flag: X}\n", "ie_flag"),
        ("adapter:\n  folder: a\n  bank: {settlement: mt103}\n", "settlement"),
        ("adapter:\n  folder: a\n  bank: {cbpr_plus: true, settlement: pain.001, bic: BKCHCNBJ}\n", "cbpr_plus needs settlement: pacs.008"),
        ("adapter:\n  folder: a\n  bank: {cbpr_plus: true}\n", "cbpr_plus needs the bank's bic"),
        ("adapter:\n  folder: a\n  post: {encoding: xml}\n", "encoding"),
        // Checked when the file is read, not when the first statement arrives.
        ("adapter:\n  folder: a\n  bank: {order_pattern: \"([\"}\n", "adapter.bank.order_pattern '([' is not a regular expression"),
        // A folder that cannot be made is named, in words (root may write anywhere, so not a permission).
        ("adapter:\n  folder: /dev/null/bank\n", "adapter inbox folder /dev/null/bank/in: cannot be made: /dev/null is not a folder"),
    ])
    func badSettingsAreRefusedWithTheKey(yaml: String, mentions: String) {
        #expect {
            try Self.load(yaml)
        } throws: { error in
            "\(error)".contains(mentions)
        }
    }
}
