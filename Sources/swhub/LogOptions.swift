import ArgumentParser
import Logging

/// `--log-level` and `--log-format`, and the one place logging is bootstrapped.
struct LogOptions: ParsableArguments {
    /// How log lines look.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        /// swift-log's text lines.
        case text
        /// One JSON object per line (``JSONLogHandler``).
        case json
    }

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "Log format: text, or json (one object per line with time, level, label, message, metadata).")
    var logFormat: Format = .text

    /// Bootstraps swift-log once (to standard error) and returns a logger.
    func bootstrap(label: String) -> Logger {
        LoggingBootstrap.once(level: logLevel, format: logFormat)
        return Logger(label: label)
    }
}

enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false

    /// Called from the command's run only, before any concurrency starts.
    static func once(level: Logger.Level, format: LogOptions.Format = .text) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                return JSONLogHandler(label: label, level: level)
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}

// swift-format-ignore: AvoidRetroactiveConformances
// Neither swift-log nor ArgumentParser can declare this; only the tool that uses both can.
extension Logger.Level: @retroactive ExpressibleByArgument {}
