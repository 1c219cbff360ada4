import DepartmentFormats
import HubClient
import HubProtocol

/// The forex department's files (CSV, see `Docs/adapters/tax-forex-csv.md`):
/// - out: one CSV per released order with its payment (orderNo, payTransactionId, amount,
///   currency, payerCountry, date); one reversal CSV per withdrawal or return notice
///   (``ReversalCSV``);
/// - in: settlement verification results (`*.csv`) → `forex.SettlementResult`.
public struct ForexFiles: DepartmentFiles {
    public init() {}

    public func read(name: String, data: [UInt8]) throws(FormatError) -> FileReading {
        guard name.lowercased().hasSuffix(".csv") else {
            throw FormatError(.unknownDocument, "the forex adapter reads settlement results as .csv (or hub JSON as .json), not \(name)")
        }
        do {
            return FileReading(documents: try ForexCSV.readSettlementResults(data, fileName: name))
        } catch let error as FormatError {
            throw error
        } catch {
            throw FormatError(.syntax, "\(error)")
        }
    }

    public mutating func write(_ delivery: Delivery) throws(FormatError) -> [OutboundFile]? {
        if let rows = ReversalCSV.lines(type: delivery.header.type, id: delivery.header.id, body: delivery.body) {
            let name = HubJSONFile.fileName(type: "forex-reversal", id: delivery.header.id, extension: "csv")
            return try TaxFiles.reversalFile(rows, name: name)
        }
        guard delivery.header.messageType == .releaseNotice, let notice = try? BizReleaseNotice(serializedBytes: delivery.body) else {
            return nil
        }
        do {
            let content = try ForexCSV.exportFile(ForexCSV.exportLines(notice: notice))
            return [
                OutboundFile(name: HubJSONFile.fileName(type: "forex-payment", id: delivery.header.id, extension: "csv"), content: content)
            ]
        } catch {
            throw FormatError(.unsupported, "the forex CSV cannot be written: \(error)")
        }
    }
}
