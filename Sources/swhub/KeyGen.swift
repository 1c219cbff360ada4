import ArgumentParser
import Foundation
import HubConfigKit
import HubCore
import ZeroMQ

/// `swhub keygen`: writes a CURVE key pair as NAME.key (public) and NAME.key_secret (0600).
struct KeyGen: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keygen", abstract: "Generate a CURVE key pair for the hub or a party.")

    @Option(help: "Directory to write the key files into (created if missing).")
    var out: String

    @Option(help: "Name of the key: the party id, or 'hub'.")
    var name: String

    @Flag(help: "Overwrite existing key files.")
    var force = false

    func run() throws {
        guard HubConfig.isValidName(name, max: 64) else {
            throw ValidationError("--name must be 1-64 characters of [A-Za-z0-9._-]")
        }
        let pair = try CurveKeyPair.generate()
        let file = KeyFile(publicKey: pair.publicKey, secretKey: pair.secretKey)
        let manager = FileManager.default
        try manager.createDirectory(atPath: out, withIntermediateDirectories: true)
        let publicPath = "\(out)/\(name).key"
        let secretPath = "\(out)/\(name).key_secret"
        if !force, manager.fileExists(atPath: publicPath) || manager.fileExists(atPath: secretPath) {
            throw CommandFailure(.refused, "\(publicPath) or \(secretPath) exists; use --force to replace it")
        }
        // The secret file is created with mode 0600 before anything is written into it.
        guard manager.createFile(atPath: secretPath, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure(.failed, "cannot create \(secretPath)")
        }
        try Data(file.render(name: name, includingSecret: true).utf8).write(to: URL(fileURLWithPath: secretPath))
        try Data(file.render(name: name, includingSecret: false).utf8).write(to: URL(fileURLWithPath: publicPath))
        print("wrote \(publicPath) and \(secretPath)")
        print("public key: \(pair.publicKey)")
    }
}
