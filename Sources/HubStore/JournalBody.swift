/// Bytes the store can read without copying them first (a `[UInt8]`, or a received ZeroMQ
/// frame elsewhere).
///
/// The store only reads the bytes inside ``withUnsafeBytes(_:)`` and never keeps the
/// pointer after the closure returns.
public protocol JournalBody: Sendable {
    /// Calls `body` with a view of the bytes, valid only for the duration of the call.
    ///
    /// - Parameters:
    ///   - body: A closure that reads the bytes.
    /// - Returns: What `body` returns.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

/// A `[UInt8]` is a journal body as it is.
extension Array: JournalBody where Element == UInt8 {}
