import Foundation
import HubConfigKit
import HubThreads
import ZeroMQ

/// Reloading a running `TestHub`: its config file rewritten, then `swhub reload`.
extension TestHub {
    /// One party's lines for the config's `parties:` section.
    static func partyYAML(_ id: String, keys: [String], subscribes: [String] = [], hide: String? = nil, audit: String? = nil) -> String {
        let key = keys.count == 1 ? "\"\(keys[0])\"" : "[" + keys.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        var yaml = "  - id: \(id)\n    public_key: \(key)\n    subscribes: [\(subscribes.joined(separator: ", "))]\n"
        if let hide { yaml += "    hide: \(hide)\n" }
        if let audit { yaml += "    audit: \(audit)\n" }
        return yaml
    }

    /// Replaces everything from `parties:` on in the config file with `parties` (lines made
    /// by `partyYAML`); the hub keeps running with the old file until reloaded.
    func rewriteParties(_ parties: [String]) throws {
        let text = try String(contentsOfFile: configPath, encoding: .utf8)
        guard let start = text.range(of: "parties:\n") else { throw TestHubError("no parties: in \(configPath)") }
        try (text[..<start.upperBound] + parties.joined()).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Replaces the config file's text wholesale (a bad file, a changed endpoint).
    func rewriteConfig(_ transform: (String) -> String) throws {
        let text = try String(contentsOfFile: configPath, encoding: .utf8)
        try transform(text).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Runs `swhub reload --config` for this hub; returns its exit status and what it printed
    /// (standard output and error together).
    func reload() throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try Self.executable
        process.arguments = ["reload", "--config", configPath, "--timeout", "60"]
        let pipe = ProcessLaunch.pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try ProcessLaunch.run(process)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// How many lines of the hub's log have every one of `parts`.
    func logLines(with parts: String...) -> Int {
        log().split(separator: "\n").filter { line in parts.allSatisfy { line.contains($0) } }.count
    }
}
