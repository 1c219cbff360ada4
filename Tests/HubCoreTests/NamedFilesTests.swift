import Foundation
import HubConfigKit
import HubCore
import Testing

/// `HubConfig.namedFiles`: what an installer needs from a hub config, in block or flow
/// style, read strictly, without any of the files existing.
@Suite("Files a hub config names")
struct NamedFilesTests {
    static let block = """
        hub:
          endpoint: tcp://127.0.0.1:5570
          key_file: keys/hub.key_secret
          journal: /var/lib/swhub/journal.sqlite
        tap:
          endpoint: tcp://127.0.0.1:5571
          key_file: keys/tap.key_secret
        monitor:
          listen: 0.0.0.0:8080
          token_file: /etc/swhub/keys/monitor.token
        types: [demo.Note]
        parties:
          - id: enterprise
            key_file: keys/enterprise.key
          - id: inline
            public_key: "\(TestKeys.a)"
          - id: customs
            key_file: ../customs.key
            roles: [customs]
        """

    static let flow = """
        {hub: {endpoint: "tcp://127.0.0.1:5570", key_file: keys/hub.key_secret, journal: /var/lib/swhub/journal.sqlite},
         tap: {endpoint: "tcp://127.0.0.1:5571", key_file: keys/tap.key_secret},
         monitor: {listen: "0.0.0.0:8080", token_file: /etc/swhub/keys/monitor.token},
         types: [demo.Note],
         parties: [{id: enterprise, key_file: keys/enterprise.key}, {id: inline, public_key: "\(TestKeys.a)"},
                   {id: customs, key_file: ../customs.key, roles: [customs]}]}
        """

    static func write(_ text: String) throws -> (folder: String, path: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("named-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("hub.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (folder.path, path)
    }

    @Test(arguments: [block, flow])
    func everyFileResolvedAgainstTheInstallFolder(yaml: String) throws {
        let (folder, path) = try Self.write(yaml)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = try HubConfig.namedFiles(path: path, relativeTo: "/etc/swhub")
        #expect(
            files.map(\.line) == [
                "hub_key\thub\t/etc/swhub/keys/hub.key_secret",
                "journal\thub\t/var/lib/swhub/journal.sqlite",
                "tap_key\ttap\t/etc/swhub/keys/tap.key_secret",
                "monitor_token\tmonitor\t/etc/swhub/keys/monitor.token",
                "party_key\tenterprise\t/etc/swhub/keys/enterprise.key",
                "party_key\tcustoms\t/etc/customs.key",
            ])
        let own = try HubConfig.namedFiles(path: path)
        #expect(own.first?.path == URL(fileURLWithPath: folder).appendingPathComponent("keys/hub.key_secret").standardizedFileURL.path)
    }

    @Test func anUnknownKeyIsRefusedWithItsPlace() throws {
        let (folder, path) = try Self.write(Self.block.replacingOccurrences(of: "token_file:", with: "tokenfile:"))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect {
            try HubConfig.namedFiles(path: path)
        } throws: { error in
            let error = error as? ConfigError
            return error?.code == .syntax && error?.reason.contains("monitor.tokenfile (line 10, column 3): unknown key") == true
        }
    }

    @Test func aMissingFileIsUnreadable() {
        #expect(throws: ConfigError(.unreadable, "cannot read config file /nonexistent/hub.yaml")) {
            try HubConfig.namedFiles(path: "/nonexistent/hub.yaml")
        }
    }
}
