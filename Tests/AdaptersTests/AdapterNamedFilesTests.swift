import Adapters
import Foundation
import HubConfigKit
import Testing

/// `AdapterSettings.namedFiles`: the keys and folders of a client or adapter config, read
/// strictly, none of them needing to exist.
@Suite("Files an adapter config names")
struct AdapterNamedFilesTests {
    static func namedFiles(_ yaml: String, relativeTo: String? = "/etc/swhub/adapters") throws -> [String] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("adapter-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try AdapterSettings.namedFiles(path: file.path, relativeTo: relativeTo).map(\.line)
    }

    @Test func anAdapterConfigNamesItsKeysAndFolders() throws {
        let lines = try Self.namedFiles(
            """
            {party: bank, hub_endpoint: "tcp://hub:5570", hub_public_key_file: keys/hub.key, key_file: keys/bank.key_secret,
             adapter: {folder: /var/lib/swhub-adapters/bank, errors: /var/lib/swhub-adapters/bank-errors,
                       bank: {pay_code: "312226T001", ie_flag: E}}}
            """)
        #expect(
            lines == [
                "client_key\tbank\t/etc/swhub/adapters/keys/bank.key_secret",
                "hub_public_key\thub\t/etc/swhub/adapters/keys/hub.key",
                "folder\tinbox\t/var/lib/swhub-adapters/bank/in",
                "folder\toutbox\t/var/lib/swhub-adapters/bank/out",
                "folder\tarchive\t/var/lib/swhub-adapters/bank/archive",
                "folder\terrors\t/var/lib/swhub-adapters/bank-errors",
                "folder\tstate\t/var/lib/swhub-adapters/bank/state",
            ])
    }

    @Test func aClientConfigWithoutPartyOrAdapter() throws {
        let lines = try Self.namedFiles(
            """
            hub_endpoint: tcp://127.0.0.1:5570
            hub_public_key: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
            key_file: /etc/swhub/keys/me.key_secret
            tap_endpoint: tcp://127.0.0.1:5571
            tap_public_key_file: tap.key
            """)
        #expect(lines == ["client_key\t-\t/etc/swhub/keys/me.key_secret", "tap_public_key\ttap\t/etc/swhub/adapters/tap.key"])
    }

    @Test(arguments: [
        ("hub_endpoint: x\nkey_file: k\nadapter: {folder: f, custom: {cop_code: '1'}}", "adapter.custom"),
        ("hub_endpoint: x\nkey_file: k\nadapter: {folder: f, bank: {paycode: '1'}}", "adapter.bank.paycode"),
        ("hub_endpoint: x\nkey_file: k\nhub_public_keyfile: h", "hub_public_keyfile"),
    ])
    func anUnknownKeyIsRefused(yaml: String, key: String) {
        #expect {
            try Self.namedFiles(yaml)
        } throws: { error in
            (error as? ConfigError)?.code == .syntax && (error as? ConfigError)?.reason.contains("\(key) (line") == true
        }
    }
}
