/// The bodies frame of a SUBMIT_BATCH, shared by the entries cut from it.
public final class BatchBodies: Sendable {
    /// The frame as received.
    public let frame: any RouterBody

    /// Wraps a received bodies frame.
    ///
    /// - Parameters:
    ///   - frame: The frame.
    public init(_ frame: any RouterBody) {
        self.frame = frame
    }
}

/// One entry's body inside a SUBMIT_BATCH's bodies frame: a range of the frame, read in
/// place (never copied before the journal reads it). Three words, so it fits in an
/// existential's inline buffer: holding one as `any RouterBody` allocates nothing.
public struct BatchBody: RouterBody {
    /// The frame it is cut from.
    public let bodies: BatchBodies
    /// Where it starts in the frame.
    public let start: Int
    /// Its size in bytes.
    public let count: Int

    /// An entry's body.
    ///
    /// - Parameters:
    ///   - bodies: The bodies frame.
    ///   - start: The offset of the body.
    ///   - count: Its size.
    public init(bodies: BatchBodies, start: Int, count: Int) {
        self.bodies = bodies
        self.start = start
        self.count = count
    }

    /// Calls `body` with the entry's bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bodies.frame.withUnsafeBytes { frame in
            try body(UnsafeRawBufferPointer(rebasing: frame[start..<(start + count)]))
        }
    }

    /// A copy of the entry's bytes.
    public var bytes: [UInt8] {
        withUnsafeBytes { [UInt8]($0) }
    }
}
