import ArgumentParser
import Foundation
import HubConfigKit
import HubCore
import HubThreads
import ZeroMQ

/// `swhub keygen`: writes a CURVE key pair as NAME.key (public) and NAME.key_secret (0600);
/// with `--rotate`, the next key pair of an existing one as NAME.next.key and
/// NAME.next.key_secret, beside the current pair, which it never touches (README, "Rotating keys").
struct KeyGen: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keygen", abstract: "Generate a CURVE key pair for the hub or a party.")

    @Option(help: "Directory to write the key files into (created if missing).")
    var out: String

    @Option(help: "Name of the key: the party id, or 'hub'.")
    var name: String

    @Flag(help: "Overwrite existing key files.")
    var force = false

    @Flag(
        help: """
            Write the next key pair of NAME (which must exist in --out) as NAME.next.key and \
            NAME.next.key_secret, leaving NAME's files as they are, and print the rotation's steps.
            """)
    var rotate = false

    func run() throws {
        guard HubConfig.isValidName(name, max: 64) else {
            throw ValidationError("--name must be 1-64 characters of [A-Za-z0-9._-]")
        }
        if rotate {
            let current = "\(out)/\(name).key"
            guard FileManager.default.fileExists(atPath: current) else {
                throw CommandFailure(.refused, "\(current) does not exist: --rotate makes the next key of an existing one")
            }
            _ = try KeyFile.load(path: current)
            try write(name: "\(name).next")
            print(Self.steps(name: name, out: out))
            return
        }
        try write(name: name)
    }

    /// What to do next, for a party's key or the hub's.
    static func steps(name: String, out: String) -> String {
        if name == "hub" {
            return """
                next steps (README, "Rotating keys"), the hub's key:
                  1. give every client both hub keys: hub_public_key_files: [\(out)/hub.key, \(out)/hub.next.key]
                     (restart each client when convenient; a client tries the next key when a handshake fails)
                  2. set hub.key_file to \(out)/hub.next.key_secret and restart the hub (node by node in a cluster)
                  3. once every client connected with the new key, drop the old one from the clients' lists
                """
        }
        return """
            next steps (README, "Rotating keys"), party \(name):
              1. in the hub's config: key_file: [\(out)/\(name).key, \(out)/\(name).next.key], then swhub reload --config HUB.yaml
              2. give \(name)'s client \(out)/\(name).next.key_secret as its key_file and restart it
              3. in the hub's config: key_file: \(out)/\(name).next.key, then swhub reload (the old key's sessions are closed)
            """
    }

    /// Writes NAME.key and NAME.key_secret for a new key pair.
    private func write(name: String) throws {
        let pair = try CurveKeyPair.generate()
        let file = KeyFile(publicKey: pair.publicKey, secretKey: pair.secretKey)
        let manager = FileManager.default
        try manager.createDirectory(atPath: out, withIntermediateDirectories: true)
        let publicPath = "\(out)/\(name).key"
        let secretPath = "\(out)/\(name).key_secret"
        if !force, manager.fileExists(atPath: publicPath) || manager.fileExists(atPath: secretPath) {
            throw CommandFailure(.refused, "\(publicPath) or \(secretPath) exists; use --force to replace it")
        }
        // Each file whole or not at all, on the disk with its name before this returns (a
        // key pair replaced with --force is never left truncated); the secret one is made
        // with mode 0600 before anything is written into it.
        do {
            try DurableFile.write(Array(file.render(name: name, includingSecret: true).utf8), to: secretPath, mode: 0o600)
            try DurableFile.write(Array(file.render(name: name, includingSecret: false).utf8), to: publicPath, mode: 0o644)
        } catch {
            throw CommandFailure(.failed, "cannot write the key pair: \(error)")
        }
        print("wrote \(publicPath) and \(secretPath)")
        print("public key: \(pair.publicKey)")
    }
}
