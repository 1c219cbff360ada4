/// Why a report could not be made, with a stable code; `description` names the tool or the
/// file, never figures of the report.
public struct ReportError: Error, Sendable, CustomStringConvertible {
    /// Stable codes (README, "Statistics and risk control").
    public enum Code: String, Sendable {
        /// A program the format needs is not installed: the reason names its Debian package.
        case toolMissing = "REPORT_TOOL_MISSING"
        /// The program ran and failed, or did not end in time.
        case toolFailed = "REPORT_TOOL_FAILED"
        /// The output could not be written.
        case writeFailed = "REPORT_WRITE_FAILED"
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
