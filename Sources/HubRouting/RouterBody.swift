import HubStore

/// A message body as the router holds it: the frame as received, forwarded to the journal,
/// the recipients and the tap without being copied (a received ZeroMQ frame in the hub, a
/// `[UInt8]` in tests and for the flows' own messages).
///
/// The router holds bodies as `any RouterBody` rather than as a generic parameter: its code
/// lives in another module than the hub's I/O, where a generic `RouterCore` would run
/// unspecialized on every message; a class or an array fits in the existential's inline
/// buffer, so holding one allocates nothing.
public protocol RouterBody: JournalBody {
    /// Its size in bytes.
    var count: Int { get }
    /// A copy of its bytes, for the flows, which parse them.
    var bytes: [UInt8] { get }
}

/// A `[UInt8]` is a router body as it is.
extension Array: RouterBody where Element == UInt8 {
    /// The array itself.
    public var bytes: [UInt8] { self }
}
