import DepartmentFormats
import HubClient

/// What a file read from a department's inbox gave: the hub messages to submit, and
/// records that were read but link to nothing, or return or reverse a payment (each reported
/// beside the file, not dropped).
public struct FileReading: Sendable, Equatable {
    public var documents: [InboundDocument]
    public var unlinked: [FormatError]
    /// Returns and reversals (code RETURNED): `<file>.returned.txt` and "returned" events.
    public var returned: [FormatError]

    public init(documents: [InboundDocument], unlinked: [FormatError] = [], returned: [FormatError] = []) {
        self.documents = documents
        self.unlinked = unlinked
        self.returned = returned
    }
}

/// A department's formats, as a file adapter uses them: inbox files in, hub messages out;
/// deliveries in, outbox files out. Files named `*.json` in the inbox are read
/// as the hub's own JSON by the adapter itself, and deliveries a department has no format
/// for are written in it.
///
/// Conformers may remember things between deliveries (the tax department joins release
/// notices with the summary result that brings their entryId); `state` is saved before a
/// delivery is acknowledged and given back through `restore` at start, so a restart
/// forgets nothing.
public protocol DepartmentFiles: Sendable {
    /// Reads an inbox file of the department's own format.
    func read(name: String, data: [UInt8]) throws(FormatError) -> FileReading

    /// The outbox files for a delivery: nil if the department has no format for its type
    /// (it is then written as hub JSON), empty if nothing is to be written (yet).
    mutating func write(_ delivery: Delivery) throws(FormatError) -> [OutboundFile]?

    /// What must survive a restart, encoded; empty when nothing.
    var state: [UInt8] { get }

    /// Takes back what `state` gave.
    mutating func restore(_ state: [UInt8]) throws
}

extension DepartmentFiles {
    public var state: [UInt8] { [] }
    public mutating func restore(_ state: [UInt8]) throws {}
}
