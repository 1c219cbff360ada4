import DepartmentFormats
import HubClient
import HubProtocol

/// The post's files: CN23 declaration data (`Docs/adapters/post-cn23.md`) as CSV or JSON
/// lines (`*.csv`, `*.jsonl`):
/// - in: consignments → `ceb.Waybill` (the post files waybills as the logistics company);
/// - out: waybills delivered to the post → CN23 data in the configured encoding.
public struct PostFiles: DepartmentFiles {
    let options: CN23Options
    let encoding: CN23Codec.Encoding

    public init(options: CN23Options, encoding: CN23Codec.Encoding) {
        self.options = options
        self.encoding = encoding
    }

    public func read(name: String, data: [UInt8]) throws(FormatError) -> FileReading {
        let lower = name.lowercased()
        let encoding: CN23Codec.Encoding
        if lower.hasSuffix(".csv") {
            encoding = .csv
        } else if lower.hasSuffix(".jsonl") {
            encoding = .jsonLines
        } else {
            throw FormatError(.unknownDocument, "the post adapter reads CN23 data as .csv or .jsonl (or hub JSON as .json), not \(name)")
        }
        do {
            return FileReading(documents: try CN23Codec.read(data, encoding: encoding, fileName: name, options: options))
        } catch let error as FormatError {
            throw error
        } catch {
            throw FormatError(.syntax, "\(error)")
        }
    }

    public mutating func write(_ delivery: Delivery) throws(FormatError) -> [OutboundFile]? {
        guard delivery.header.messageType == .waybill, let waybill = try? BizWaybill(serializedBytes: delivery.body) else { return nil }
        do {
            let content = try CN23Codec.write([waybill], encoding: encoding, options: options)
            let ext = encoding == .csv ? "csv" : "jsonl"
            return [OutboundFile(name: HubJSONFile.fileName(type: "cn23", id: delivery.header.id, extension: ext), content: content)]
        } catch {
            throw FormatError(.unsupported, "the CN23 data cannot be written: \(error)")
        }
    }
}
