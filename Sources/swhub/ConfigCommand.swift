import Adapters
import ArgumentParser
import Foundation
import HubClient
import HubConfigKit
import HubCore

/// `swhub config check FILE`: reads a hub, client or adapter configuration the way the
/// program that uses it does (strictly: unknown keys, wrong types and bad values refused
/// with their place), runs the checks `serve` runs before it opens anything, and prints the
/// resolved configuration with secrets masked, or every problem found.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check a configuration file, or list the files it names.",
        subcommands: [Check.self, ConfigFiles.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a hub, client or adapter config; print it resolved (secrets masked) or every problem found.",
            discussion: "Exits 0 when the file is ready to use, 78 (configuration error) otherwise.")

        @Argument(help: "The config file.")
        var file: String

        @Flag(help: "Print the resolved configuration as one JSON object on one line, and nothing else.")
        var json = false

        func run() async throws {
            let resolved: ResolvedConfig
            switch try ResolvedConfig.kind(of: file) {
            case .hub:
                let config = try HubConfig.load(path: file)
                let problems = HubPreflight(config: config).problems()
                guard problems.isEmpty else {
                    for problem in problems { Output.error("\(file): \(problem)") }
                    throw ConfigError(problems[0].code, "\(file): \(problems.count) problem(s), listed above")
                }
                resolved = ResolvedConfig(hub: config)
            case .client(let hasAdapter):
                let client = try HubClientConfiguration.load(path: file)
                resolved = ResolvedConfig(client: client, adapter: hasAdapter ? try AdapterSettings.load(path: file) : nil)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting =
                json ? [.sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            if !json { Output.line("\(file): valid \(resolved.kind) configuration (paths resolved, defaults filled in, secrets masked):") }
            Output.line(String(decoding: try encoder.encode(resolved), as: UTF8.self))
        }
    }
}
