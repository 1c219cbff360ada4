import Foundation
import HubConfigKit
import HubCore
import HubThreads
import Testing

/// `Deploy/install.sh` into a scratch root (DESTDIR), run with the real built swhub: the
/// script learns what the configs name from `swhub config files` (block and flow style
/// alike), generates the keys, installs the hub and the adapters with owners recorded and
/// modes set, and the installed units pass `systemd-analyze verify`.
@Suite("Deploy/install.sh into a scratch root")
struct InstallTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let blockHub = """
        hub:
          endpoint: "tcp://127.0.0.1:*"
          key_file: keys/hub.key_secret
          journal: /var/lib/swhub/journal/journal.sqlite
        tap:
          endpoint: "tcp://127.0.0.1:*"
          key_file: keys/tap.key_secret
        monitor:
          listen: "0.0.0.0:0"
          token_file: keys/monitor.token
        keys:
          master_key_file: keys/master.key
        types: [demo.Note]
        parties:
          - id: enterprise
            key_file: keys/enterprise.key
          - id: customs
            key_file: keys/customs.key
            roles: [customs]
          - id: bank
            key_file: keys/bank.key
            roles: [bank]
        """

    static let flowHub = """
        {hub: {endpoint: "tcp://127.0.0.1:*", key_file: keys/hub.key_secret, journal: /var/lib/swhub/journal/journal.sqlite},
         tap: {endpoint: "tcp://127.0.0.1:*", key_file: keys/tap.key_secret},
         monitor: {listen: "0.0.0.0:0", token_file: keys/monitor.token}, types: [demo.Note],
         keys: {master_key_file: keys/master.key, vault: /var/lib/swhub/keys/keys.sqlite},
         parties: [{id: enterprise, key_file: keys/enterprise.key}, {id: customs, key_file: keys/customs.key, roles: [customs]},
                   {id: bank, key_file: keys/bank.key, roles: [bank]}]}
        """

    static let customsAdapter = """
        party: customs
        hub_endpoint: tcp://127.0.0.1:5570
        hub_public_key_file: keys/hub.key
        key_file: keys/customs.key_secret
        adapter:
          folder: /var/lib/swhub-adapters/customs
          customs: {cop_code: "1105910159"}
        """

    static let bankAdapter = """
        {party: bank, hub_endpoint: "tcp://127.0.0.1:5570", hub_public_key_file: keys/hub.key, key_file: keys/bank.key_secret,
         tap_endpoint: "tcp://127.0.0.1:5571", tap_public_key_file: keys/tap.key,
         adapter: {folder: /var/lib/swhub-adapters/bank, bank: {ie_flag: E}}}
        """

    /// A scratch folder holding `files` (name: text).
    static func scratch(_ files: [String: String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-install-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return folder
    }

    /// Runs `install.sh arguments` with DESTDIR=`root` on a thread of its own (a process wait
    /// must not hold a cooperative thread); its status and all its output.
    static func install(root: URL, in folder: URL, prefix: String = "/usr/local", _ arguments: [String]) async throws -> (
        status: Int32, output: String
    ) {
        try await onThread { try installBlocking(root: root, in: folder, prefix: prefix, arguments) }
    }

    static func installBlocking(root: URL, in folder: URL, prefix: String, _ arguments: [String]) throws -> (
        status: Int32, output: String
    ) {
        let log = folder.appendingPathComponent("install-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments =
            [repository.appendingPathComponent("Deploy/install.sh").path] + arguments + ["--binary", try TestHub.executable.path]
        process.environment = ProcessInfo.processInfo.environment.merging(["DESTDIR": root.path, "PREFIX": prefix]) { $1 }
        process.currentDirectoryURL = folder
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try ProcessLaunch.run(process)
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    static func mode(_ path: String, in root: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: root.path + path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// The block-style config installed locally (PREFIX=/usr/local: systemd files in /etc),
    /// the flow-style one as a package would be (PREFIX=/usr: systemd files in /usr/lib).
    @Test(arguments: ["block", "flow"])
    func installsTheHubAndTwoAdaptersIntoAScratchRoot(style: String) async throws {
        let prefix = style == "block" ? "/usr/local" : "/usr"
        let systemd = style == "block" ? "/etc" : "/usr/lib"
        let folder = try Self.scratch([
            "hub.yaml": style == "block" ? Self.blockHub : Self.flowHub, "customs.yaml": Self.customsAdapter, "bank.yaml": Self.bankAdapter,
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let root = folder.appendingPathComponent("root")
        let run = try await Self.install(
            root: root, in: folder, prefix: prefix,
            ["--config", "hub.yaml", "--adapter", "customs=customs.yaml", "--adapter", "bank=bank.yaml"])
        #expect(run.status == 0, "\(run.output)")

        let expectedModes: [String: Int] = [
            "\(prefix)/bin/swhub": 0o755, "\(systemd)/systemd/system/swhub.service": 0o644,
            "\(systemd)/systemd/system/swhub-adapter@.service": 0o644,
            "/etc/swhub/hub.yaml": 0o640, "/etc/swhub/keys/hub.key_secret": 0o640, "/etc/swhub/keys/hub.key": 0o644,
            "/etc/swhub/keys/master.key": 0o600,
            "/etc/swhub/keys/tap.key_secret": 0o640, "/etc/swhub/keys/tap.key": 0o644, "/etc/swhub/keys/monitor.token": 0o640,
            "/etc/swhub/keys/enterprise.key": 0o644, "/etc/swhub/party-keys": 0o700, "/etc/swhub/party-keys/enterprise.key_secret": 0o600,
            "/var/lib/swhub": 0o750, "/var/lib/swhub/journal": 0o750,
            "/etc/swhub/adapters/customs.yaml": 0o640, "/etc/swhub/adapters/keys/customs.key_secret": 0o640,
            "/etc/swhub/adapters/keys/bank.key_secret": 0o640, "/etc/swhub/adapters/keys/hub.key": 0o644,
            "/etc/swhub/adapters/keys/tap.key": 0o644, "/var/lib/swhub-adapters/customs": 0o750,
            "/var/lib/swhub-adapters/customs/in": 0o2770, "/var/lib/swhub-adapters/customs/out": 0o2770,
            "/var/lib/swhub-adapters/customs/archive": 0o2750, "/var/lib/swhub-adapters/customs/errors": 0o2750,
            "/var/lib/swhub-adapters/customs/state": 0o700, "/var/lib/swhub-adapters/bank/in": 0o2770,
        ]
        for (path, mode) in expectedModes.sorted(by: { $0.key < $1.key }) {
            let actual = try Self.mode(path, in: root)
            #expect(actual == mode, "\(path): mode \(String(actual, radix: 8))")
        }
        // The adapters' parties got their secret where the adapter reads it, not in party-keys.
        for party in ["customs", "bank"] {
            #expect(!FileManager.default.fileExists(atPath: root.path + "/etc/swhub/party-keys/\(party).key_secret"))
            let secret = try KeyFile.load(path: root.path + "/etc/swhub/adapters/keys/\(party).key_secret")
            let known = try KeyFile.load(path: root.path + "/etc/swhub/keys/\(party).key")
            #expect(secret.secretKey != nil && secret.publicKey == known.publicKey, "\(party): the adapter's key is the one the hub knows")
        }
        let hub = try KeyFile.load(path: root.path + "/etc/swhub/keys/hub.key_secret")
        #expect(hub.secretKey != nil)
        #expect(try KeyFile.load(path: root.path + "/etc/swhub/adapters/keys/hub.key").publicKey == hub.publicKey)
        #expect(try KeyFile.load(path: root.path + "/etc/swhub/keys/hub.key").secretKey == nil, "a public key file holds no secret")
        let token = try String(contentsOfFile: root.path + "/etc/swhub/keys/monitor.token", encoding: .utf8)
        #expect(token.count == 64 && token.allSatisfy(\.isHexDigit))
        #expect(
            try String(contentsOfFile: root.path + "/etc/swhub/hub.yaml", encoding: .utf8)
                == (style == "block" ? Self.blockHub : Self.flowHub))
        let unit = try String(contentsOfFile: root.path + "\(systemd)/systemd/system/swhub-adapter@.service", encoding: .utf8)
        #expect(unit.contains("User=swhub-%i") && unit.contains("ExecStart=\(prefix)/bin/swhub adapter %i"))

        // Owners are recorded for the package to apply, nothing was chowned.
        let tmpfiles = try String(contentsOfFile: root.path + "\(systemd)/tmpfiles.d/swhub.conf", encoding: .utf8)
        for line in [
            "z /etc/swhub/keys/hub.key_secret 0640 root swhub -", "z /etc/swhub/adapters/keys/customs.key_secret 0640 root swhub-customs -",
            "d /var/lib/swhub-adapters/bank/out 2770 swhub-bank swhub-bank -", "d /var/lib/swhub 0750 swhub swhub -",
            "z /etc/swhub/adapters/bank.yaml 0640 root swhub-bank -",
        ] {
            #expect(tmpfiles.contains(line + "\n"), "\(line) missing from\n\(tmpfiles)")
        }
        let sysusers = try String(contentsOfFile: root.path + "\(systemd)/sysusers.d/swhub.conf", encoding: .utf8)
        #expect(sysusers.contains("u swhub - ") && sysusers.contains("u swhub-customs - ") && sysusers.contains("u swhub-bank - "))

        // Again: everything is kept, no key is made twice.
        let again = try await Self.install(
            root: root, in: folder, prefix: prefix,
            ["--config", "hub.yaml", "--adapter", "customs=customs.yaml", "--adapter", "bank=bank.yaml"])
        #expect(again.status == 0, "\(again.output)")
        #expect(try KeyFile.load(path: root.path + "/etc/swhub/keys/hub.key_secret") == hub)
        #expect(!again.output.contains("generated"), "\(again.output)")

        try await onThread { try Self.applyOwners(root: root, systemd: systemd) }
        try await onThread { try Self.verifyUnits(root: root, binary: "\(prefix)/bin/swhub") }
    }

    /// The recorded owners applied in the scratch root as a package would
    /// (`systemd-sysusers`, then `systemd-tmpfiles --create`): each adapter's secret key is
    /// readable by its own user's group and no one else, its inbox is its own.
    static func applyOwners(root: URL, systemd: String) throws {
        let sysusers = URL(fileURLWithPath: "/usr/bin/systemd-sysusers")
        let tmpfiles = URL(fileURLWithPath: "/usr/bin/systemd-tmpfiles")
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: sysusers.path),
            FileManager.default.isExecutableFile(atPath: tmpfiles.path)
        else {
            print(
                "InstallTests: not applying the recorded owners: needs root and systemd-sysusers/systemd-tmpfiles (Debian package systemd)")
            return
        }
        let users = try programOutput(sysusers, ["--root=\(root.path)", root.path + "\(systemd)/sysusers.d/swhub.conf"])
        #expect(users.status == 0, "\(users.output)")
        let owners = try programOutput(tmpfiles, ["--root=\(root.path)", "--create", root.path + "\(systemd)/tmpfiles.d/swhub.conf"])
        #expect(owners.status == 0, "\(owners.output)")
        /// The id of `name` in the scratch root's `/etc/passwd` or `/etc/group`.
        func id(_ name: String, in file: String = "passwd") -> Int? {
            let text = (try? String(contentsOfFile: root.path + "/etc/" + file, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: ":", omittingEmptySubsequences: false)
                if fields.count > 2, fields[0] == name { return Int(fields[2]) }
            }
            return nil
        }
        for (path, user, group) in [
            ("/etc/swhub/adapters/keys/customs.key_secret", "root", "swhub-customs"),
            ("/etc/swhub/adapters/keys/bank.key_secret", "root", "swhub-bank"),
            ("/etc/swhub/keys/hub.key_secret", "root", "swhub"), ("/var/lib/swhub-adapters/customs/in", "swhub-customs", "swhub-customs"),
            ("/var/lib/swhub/journal", "swhub", "swhub"),
        ] {
            let attributes = try FileManager.default.attributesOfItem(atPath: root.path + path)
            let owner = (attributes[.ownerAccountID] as? NSNumber)?.intValue
            let ownerGroup = (attributes[.groupOwnerAccountID] as? NSNumber)?.intValue
            #expect(
                owner == (user == "root" ? 0 : id(user)) && ownerGroup == id(group, in: "group"),
                "\(path): \(String(describing: owner)):\(String(describing: ownerGroup))")
        }
    }

    /// `systemd-analyze verify` on the installed units, inside the scratch root (given the
    /// system's own units, which the installed ones refer to).
    static func verifyUnits(root: URL, binary: String) throws {
        let analyze = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        guard FileManager.default.isExecutableFile(atPath: analyze.path) else {
            print(
                "InstallTests: skipping systemd-analyze verify: /usr/bin/systemd-analyze is missing (Debian package systemd; Scripts/test.sh installs it)"
            )
            return
        }
        let systemUnits = root.appendingPathComponent("usr/lib/systemd/system")
        try FileManager.default.createDirectory(at: systemUnits, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: "/usr/lib/systemd/system")
        where !FileManager.default.fileExists(atPath: systemUnits.appendingPathComponent(name).path) {
            try FileManager.default.copyItem(
                atPath: "/usr/lib/systemd/system/" + name, toPath: systemUnits.appendingPathComponent(name).path)
        }
        for unit in ["swhub.service", "swhub-adapter@customs.service", "swhub-adapter@bank.service"] {
            let verify = try programOutput(analyze, ["verify", "--root=\(root.path)", unit])
            #expect(verify.status == 0, "systemd-analyze verify \(unit): \(verify.output)")
        }
        // The check is real: a unit naming a binary that is not there fails it.
        try FileManager.default.removeItem(atPath: root.path + binary)
        #expect(try programOutput(analyze, ["verify", "--root=\(root.path)", "swhub.service"]).status != 0)
    }

    /// What install.sh reads: `swhub config files`, as lines and as JSON; an unknown key refused.
    @Test func configFilesListsWhatAConfigNames() async throws {
        let folder = try Self.scratch([
            "hub.yaml": Self.flowHub, "bank.yaml": Self.bankAdapter, "typo.yaml": Self.customsAdapter + "\nparty_: x\n",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let lines = try await ConfigCheckTests.run([
            "config", "files", folder.appendingPathComponent("hub.yaml").path, "--relative-to", "/etc/swhub",
        ])
        #expect(lines.status == 0, "\(lines.errors)")
        #expect(
            lines.output.hasPrefix("hub_key\thub\t/etc/swhub/keys/hub.key_secret\njournal\thub\t/var/lib/swhub/journal/journal.sqlite\n"),
            "\(lines.output)")
        let json = try await ConfigCheckTests.run(["config", "files", folder.appendingPathComponent("bank.yaml").path, "--json"])
        #expect(json.status == 0, "\(json.errors)")
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        let files = try #require(object?["files"] as? [[String: String]], "\(json.output)")
        #expect(object?["kind"] as? String == "client")
        #expect(files.first == ["kind": "client_key", "name": "bank", "path": folder.appendingPathComponent("keys/bank.key_secret").path])
        #expect(files.contains(["kind": "folder", "name": "outbox", "path": "/var/lib/swhub-adapters/bank/out"]))
        let typo = try await ConfigCheckTests.run(["config", "files", folder.appendingPathComponent("typo.yaml").path])
        #expect(typo.status != 0 && typo.output.isEmpty)
        #expect(typo.errors.contains("party_ (line 8, column 1): unknown key"), "\(typo.errors)")
    }

    @Test func refusesAJournalOutsideTheStateFolderAndWritesNothing() async throws {
        let folder = try Self.scratch([:])
        defer { try? FileManager.default.removeItem(at: folder) }
        let root = folder.appendingPathComponent("root")
        let run = try await Self.install(
            root: root, in: folder, ["--config", Self.repository.appendingPathComponent("Deploy/hub.yaml").path])
        #expect(run.status != 0)
        #expect(run.output.contains("hub.journal would be /etc/swhub/var/journal.sqlite once installed"), "\(run.output)")
        #expect(!FileManager.default.fileExists(atPath: root.path))
    }

    @Test func refusesAdapterFoldersOutsideTheAdaptersStateFolderAndUnknownKeys() async throws {
        let folder = try Self.scratch([
            "hub.yaml": Self.blockHub, "typo.yaml": Self.blockHub.replacingOccurrences(of: "token_file:", with: "tokenfile:"),
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let root = folder.appendingPathComponent("root")
        let adapter = try await Self.install(
            root: root, in: folder,
            ["--config", "hub.yaml", "--adapter", "customs=" + Self.repository.appendingPathComponent("Deploy/adapter-customs.yaml").path])
        #expect(adapter.status != 0)
        #expect(adapter.output.contains("adapter inbox folder would be /etc/swhub/adapters/var/customs/in"), "\(adapter.output)")
        let typo = try await Self.install(root: root, in: folder, ["--config", "typo.yaml"])
        #expect(typo.status != 0)
        #expect(typo.output.contains("monitor.tokenfile (line 10, column 3): unknown key; did you mean 'token_file'?"), "\(typo.output)")
        #expect(!FileManager.default.fileExists(atPath: root.path))
    }
}
