import Foundation
import HubConfigKit
import Testing

/// `Deploy/install.sh` with an adapter installed while the hub's and the tap's keys are
/// rotated: its config names two key files of each (`hub_public_key_files`,
/// `tap_public_key_files`), the second the `.next.key` that `swhub keygen --rotate` wrote.
@Suite("Deploy/install.sh during a key rotation")
struct InstallRotationTests {
    static let rotatingAdapter = """
        {party: bank, hub_endpoint: "tcp://127.0.0.1:5570", hub_public_key_files: [keys/hub.key, keys/hub.next.key],
         key_file: keys/bank.key_secret, tap_endpoint: "tcp://127.0.0.1:5571", tap_public_key_files: [keys/tap.key, keys/tap.next.key],
         adapter: {folder: /var/lib/swhub-adapters/bank, bank: {ie_flag: E}}}
        """

    @Test func aSecondKeyFileGetsTheNextKeyOrTheInstallSaysWhatIsMissing() async throws {
        let folder = try InstallTests.scratch(["hub.yaml": InstallTests.blockHub, "bank.yaml": Self.rotatingAdapter])
        defer { try? FileManager.default.removeItem(at: folder) }
        let root = folder.appendingPathComponent("root")
        let arguments = ["--config", "hub.yaml", "--adapter", "bank=bank.yaml"]
        let missing = try await InstallTests.install(root: root, in: folder, arguments)
        #expect(missing.status != 0)
        #expect(missing.output.contains("/etc/swhub/keys/hub.next.key does not exist"), "\(missing.output)")

        let exe = try TestHub.executable
        for name in ["hub", "tap"] {
            let rotated = try programOutput(exe, ["keygen", "--rotate", "--out", root.path + "/etc/swhub/keys", "--name", name])
            #expect(rotated.status == 0, "\(rotated.output)")
        }
        let run = try await InstallTests.install(root: root, in: folder, arguments)
        #expect(run.status == 0, "\(run.output)")
        for name in ["hub", "tap"] {
            let current = try KeyFile.load(path: root.path + "/etc/swhub/keys/\(name).key_secret").publicKey
            let next = try KeyFile.load(path: root.path + "/etc/swhub/keys/\(name).next.key").publicKey
            #expect(try KeyFile.load(path: root.path + "/etc/swhub/adapters/keys/\(name).key").publicKey == current)
            #expect(try KeyFile.load(path: root.path + "/etc/swhub/adapters/keys/\(name).next.key").publicKey == next)
            #expect(current != next)
        }
    }
}
