import Foundation

/// Writes lines straight to file descriptor 1, unbuffered, so piped output (tests, `| tee`)
/// sees each line at once. (Glibc's `stdout` is not concurrency-safe in Swift 6.)
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}

extension Output {
    /// Writes a line to file descriptor 2.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
