import Foundation
import Testing

/// `Deploy/install.sh` without DESTDIR, as root, in a private mount namespace: `/etc` is a
/// copy, `/var/lib` an overlay and `/usr/local/bin` an empty folder, so the real users,
/// `chown`s and files are made without touching this machine. Afterwards the installed hub
/// config passes `swhub config check` as the user `swhub` (keys readable, journal folder
/// writable), the customs adapter's as `swhub-customs`, and that user can read neither the
/// bank adapter's secret key nor its folders.
@Suite("Deploy/install.sh as root, in a private mount namespace")
struct InstallLiveTests {
    @Test func installsWithRealUsersAndOwners() async throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else {
            print("InstallLiveTests: skipped: needs root and unshare (util-linux)")
            return
        }
        let folder = try InstallTests.scratch([
            "hub.yaml": InstallTests.blockHub, "customs.yaml": InstallTests.customsAdapter, "bank.yaml": InstallTests.bankAdapter,
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let sandbox = folder.path
        let hadUser = getpwnam("swhub-customs") != nil
        let swhub = try TestHub.executable.path
        let install = InstallTests.repository.appendingPathComponent("Deploy/install.sh").path
        let adapters = "--config hub.yaml --adapter customs=customs.yaml --adapter bank=bank.yaml --binary \(swhub) --no-start"
        let script = """
            set -e
            mkdir -p \(sandbox)/etc \(sandbox)/up \(sandbox)/work \(sandbox)/bin
            cp -a /etc/. \(sandbox)/etc/
            mount --bind \(sandbox)/etc /etc
            mount -t overlay overlay -o lowerdir=/var/lib,upperdir=\(sandbox)/up,workdir=\(sandbox)/work /var/lib
            mount --bind \(sandbox)/bin /usr/local/bin
            echo "sandbox ready"
            cd \(sandbox)
            bash \(install) \(adapters) >install.log 2>&1 || { cat install.log; exit 1; }
            bash \(install) \(adapters) >again.log 2>&1 || { cat again.log; exit 1; }
            grep -c generated install.log || true
            grep -c generated again.log || true
            stat -c '%U:%G %a %n' /etc/swhub/keys/hub.key_secret /etc/swhub/keys/master.key /etc/swhub/adapters/keys/customs.key_secret /var/lib/swhub-adapters/customs/in /var/lib/swhub/journal
            runuser -u swhub -- \(swhub) config check /etc/swhub/hub.yaml --json >/dev/null && echo "hub config ok as swhub"
            runuser -u swhub-customs -- \(swhub) config check /etc/swhub/adapters/customs.yaml --json >/dev/null && echo "customs config ok as swhub-customs"
            runuser -u swhub-customs -- test -r /etc/swhub/adapters/keys/bank.key_secret || echo "bank secret closed to swhub-customs"
            runuser -u swhub-customs -- test -x /var/lib/swhub-adapters/bank || echo "bank folders closed to swhub-customs"
            """
        try script.write(toFile: sandbox + "/live.sh", atomically: true, encoding: .utf8)
        let run = try await onThread {
            try programOutput(URL(fileURLWithPath: "/usr/bin/unshare"), ["-m", "--propagation", "private", "bash", sandbox + "/live.sh"])
        }
        guard run.output.hasPrefix("sandbox ready\n") else {
            print("InstallLiveTests: skipped: no private mount namespace with an overlay here (\(run.status)): \(run.output)")
            return
        }
        #expect(run.status == 0, "\(run.output)")
        #expect(
            run.output == """
                sandbox ready
                7
                0
                root:swhub 640 /etc/swhub/keys/hub.key_secret
                swhub:swhub 600 /etc/swhub/keys/master.key
                root:swhub-customs 640 /etc/swhub/adapters/keys/customs.key_secret
                swhub-customs:swhub-customs 2770 /var/lib/swhub-adapters/customs/in
                swhub:swhub 750 /var/lib/swhub/journal
                hub config ok as swhub
                customs config ok as swhub-customs
                bank secret closed to swhub-customs
                bank folders closed to swhub-customs

                """)
        #expect(hadUser || getpwnam("swhub-customs") == nil, "the sandbox leaked a user into this machine")
    }
}
