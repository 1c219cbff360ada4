import Foundation

/// The command line: `RegisterAndListen --config FILE [--type TYPE] [--text TEXT] [--id ID] [--count N]`.
struct Options {
    /// The client config file (`hub_endpoint` or `hub_endpoints`, `hub_public_key_file`, `key_file`, `party`).
    var config: String
    /// The type of the message submitted on start.
    var type = "demo.Note"
    /// Its body.
    var text = "adapter online"
    /// Its id; nil: one derived from the party and the text, so a restart does not file it twice.
    var id: String?
    /// Deliveries to handle before stopping; 0: until interrupted.
    var count = 0

    static let usage = "usage: RegisterAndListen --config FILE [--type TYPE] [--text TEXT] [--id ID] [--count N]"

    /// Parses `arguments` (without the program's name).
    /// - Throws: `UsageError` naming the argument that is wrong.
    init(_ arguments: [String]) throws(UsageError) {
        var config: String?
        var rest = arguments[...]
        while let name = rest.popFirst() {
            guard let value = rest.popFirst() else { throw UsageError("\(name) needs a value") }
            switch name {
            case "--config": config = value
            case "--type": type = value
            case "--text": text = value
            case "--id": id = value
            case "--count":
                guard let count = Int(value), count >= 0 else { throw UsageError("--count needs a number ≥ 0") }
                self.count = count
            default: throw UsageError("unknown argument \(name)")
            }
        }
        guard let config else { throw UsageError("--config is required") }
        self.config = config
    }
}

/// A command line that cannot be used.
struct UsageError: Error, CustomStringConvertible {
    /// What is wrong.
    var description: String

    init(_ description: String) { self.description = description }
}
