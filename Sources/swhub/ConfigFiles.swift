import Adapters
import ArgumentParser
import Foundation
import HubConfigKit
import HubCore

/// `swhub config files FILE`: what an installer needs from a hub, client or adapter config —
/// the key files, journal, token and folders it names, with absolute paths — read with the
/// same strict decoder as `config check` but without needing any of those files to exist.
/// `Deploy/install.sh` reads this instead of parsing YAML.
struct ConfigFiles: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "List the files and folders a hub, client or adapter config names (for installers).",
        discussion: """
            One line per file: KIND<TAB>NAME<TAB>PATH, the path absolute. Hub config: hub_key, journal, \
            tap_key, monitor_token, party_key (NAME: the party id). Client or adapter config: client_key \
            (NAME: its party or -), hub_public_key, tap_public_key, folder (NAME: inbox, outbox, archive, \
            errors, state). The files need not exist. Unknown keys are refused as `config check` refuses them.
            """)

    @Argument(help: "The config file.")
    var file: String

    @Option(help: "Resolve relative paths against this folder instead of the file's own (where the file will be installed).")
    var relativeTo: String?

    @Flag(help: "Print one JSON object: {\"kind\": \"hub\"|\"client\", \"files\": [{\"kind\", \"name\", \"path\"}]}.")
    var json = false

    func run() async throws {
        let isHub: Bool
        switch try ResolvedConfig.kind(of: file) {
        case .hub: isHub = true
        case .client: isHub = false
        }
        let base = relativeTo.map { HubConfig.resolve($0, against: FileManager.default.currentDirectoryPath) }
        let files =
            isHub ? try HubConfig.namedFiles(path: file, relativeTo: base) : try AdapterSettings.namedFiles(path: file, relativeTo: base)
        for named in files where (named.name + named.path).contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
            throw ConfigError(
                .invalidValue, "\(file): \(named.kind.rawValue) '\(named.name)' \(named.path): a tab or line break in a name or path")
        }
        if json {
            struct Listing: Encodable {
                var kind: String
                var files: [NamedFile]
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            Output.line(String(decoding: try encoder.encode(Listing(kind: isHub ? "hub" : "client", files: files)), as: UTF8.self))
        } else {
            for named in files { Output.line(named.line) }
        }
    }
}
