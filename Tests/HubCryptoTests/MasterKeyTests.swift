import Foundation
import HubCrypto
import Testing

/// The master key: its file (safe or refused, never overwritten), its command (no shell,
/// bounded time, non-zero exit refused), its fingerprint.
@Suite struct MasterKeyTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-master-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func aKeyFileIsWrittenReadAndNeverOverwritten() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("master.key").path
        let key = MasterKey.random()
        try MasterKeySource.writeKeyFile(key, to: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("swhub-master-key v1 ") && text.hasSuffix("\n") && text.split(separator: "\n").count == 1)
        #expect(try MasterKeySource.file(path: path).load() == key)
        #expect(failure { () throws(CryptoError) in try MasterKeySource.writeKeyFile(MasterKey.random(), to: path) } == .alreadyExists)
        #expect(try MasterKeySource.file(path: path).load() == key, "the file is unchanged")
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: path)
        #expect(try MasterKeySource.file(path: path).load() == key)
    }

    @Test func unsafeOrWrongKeyFilesAreRefused() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("master.key").path
        #expect(failure { () throws(CryptoError) in try MasterKeySource.file(path: path).load() } == .masterKeyUnavailable)
        try MasterKeySource.writeKeyFile(MasterKey.random(), to: path)
        for mode in [0o644, 0o640, 0o604, 0o700] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            #expect(failure { () throws(CryptoError) in try MasterKeySource.file(path: path).load() } == .masterKeyRefused)
        }
        #expect(failure { () throws(CryptoError) in try MasterKeySource.file(path: folder.path).load() } == .masterKeyRefused)
        for text in ["", "swhub-master-key v1 c2hvcnQ=\n", "swhub-master-key v2 " + String(repeating: "A", count: 44), "hello\nworld\n"] {
            let other = folder.appendingPathComponent("other-\(UUID().uuidString).key").path
            #expect(FileManager.default.createFile(atPath: other, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]))
            let error = #expect(throws: CryptoError.self) { try MasterKeySource.file(path: other).load() }
            #expect(error?.code == .masterKeyRefused && error?.reason.contains(other) == true)
        }
        if geteuid() == 0 {
            // Owned by another user: refused even with mode 0600.
            #expect(chown(path, 65534, 65534) == 0)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            let error = #expect(throws: CryptoError.self) { try MasterKeySource.file(path: path).load() }
            #expect(error?.code == .masterKeyRefused && error?.reason.contains("owned by uid 65534") == true)
        }
    }

    @Test func aCommandPrintsTheKey() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("master.key").path
        let key = MasterKey.random()
        try MasterKeySource.writeKeyFile(key, to: path)
        #expect(try MasterKeySource.command(argv: ["cat", path], timeout: 60).load() == key)
        // Arguments are not split or expanded by a shell.
        #expect(
            failure { () throws(CryptoError) in try MasterKeySource.command(argv: ["cat \(path)"], timeout: 60).load() }
                == .masterKeyUnavailable)
        #expect(
            failure { () throws(CryptoError) in try MasterKeySource.command(argv: ["/bin/echo", "$(cat \(path))"], timeout: 60).load() }
                == .masterKeyRefused)
    }

    @Test func aFailingSlowOrWrongCommandIsRefused() throws {
        let exit3 = #expect(throws: CryptoError.self) {
            try MasterKeySource.command(argv: ["/bin/sh", "-c", "echo kms is down >&2; exit 3"], timeout: 60).load()
        }
        #expect(
            exit3?.code == .masterKeyUnavailable && exit3?.reason.contains("exited with status 3: kms is down") == true,
            "\(exit3?.reason ?? "")")
        let slow = #expect(throws: CryptoError.self) { try MasterKeySource.command(argv: ["/bin/sleep", "60"], timeout: 0.5).load() }
        #expect(slow?.code == .masterKeyUnavailable && slow?.reason.contains("did not finish within") == true, "\(slow?.reason ?? "")")
        #expect(
            failure { () throws(CryptoError) in try MasterKeySource.command(argv: ["/bin/echo", "not a key"], timeout: 60).load() }
                == .masterKeyRefused)
        #expect(failure { () throws(CryptoError) in try MasterKeySource.command(argv: [], timeout: 60).load() } == .masterKeyUnavailable)
        #expect(
            failure { () throws(CryptoError) in try MasterKeySource.command(argv: ["/no/such/program"], timeout: 60).load() }
                == .masterKeyUnavailable)
    }

    @Test func theFingerprintNamesTheKeyWithoutRevealingIt() throws {
        let key = MasterKey.random()
        let line = key.line
        let again = try MasterKey(line: line, source: "test")
        #expect(again.fingerprint == key.fingerprint && key.fingerprint.count == 32)
        #expect(MasterKey.random().fingerprint != key.fingerprint)
        let base64 = String(line.dropFirst(MasterKey.prefix.count).dropLast())
        #expect(!"\(key)".contains(base64) && "\(key)".contains(key.fingerprint))
    }
}
