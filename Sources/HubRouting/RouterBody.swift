import HubStore

/// A message body as the router holds it: the frame as received, forwarded to the journal,
/// the recipients and the tap without being copied (a received ZeroMQ frame in the hub, a
/// `[UInt8]` in tests).
public protocol RouterBody: JournalBody {
    /// Its size in bytes.
    var count: Int { get }
    /// A copy of its bytes, for the flows, which parse them.
    var bytes: [UInt8] { get }
    /// A body holding these bytes (the flows' own messages).
    ///
    /// - Parameters:
    ///   - bytes: The body's content.
    init(bytes: [UInt8])
}

/// A `[UInt8]` is a router body as it is.
extension Array: RouterBody where Element == UInt8 {
    /// The array itself.
    public var bytes: [UInt8] { self }

    /// The array `bytes`.
    ///
    /// - Parameters:
    ///   - bytes: The body's content.
    public init(bytes: [UInt8]) { self = bytes }
}
