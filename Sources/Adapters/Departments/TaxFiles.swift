import DepartmentFormats
import HubClient
import HubProtocol

/// The tax department's files (CSV, see `Docs/adapters/tax-forex-csv.md`):
/// - out: once a summary result brings the entryId, one CSV per summary with a row per
///   released declaration line (entryId, sumNo, invtNo, orderNo, ebcCode, gcode, gname,
///   qty, unit, totalPrice, currency, exportDate). Release notices are kept until then;
///   one reversal CSV per withdrawal or return notice (``ReversalCSV``).
/// - in: refund results (`*.csv`) → `tax.RefundResult`.
public struct TaxFiles: DepartmentFiles {
    private var notices = HeldMessages<BizReleaseNotice>()

    public init() {}

    public func read(name: String, data: [UInt8]) throws(FormatError) -> FileReading {
        guard name.lowercased().hasSuffix(".csv") else {
            throw FormatError(.unknownDocument, "the tax adapter reads refund results as .csv (or hub JSON as .json), not \(name)")
        }
        do {
            return FileReading(documents: try TaxCSV.readRefundResults(data, fileName: name))
        } catch let error as FormatError {
            throw error
        } catch {
            throw FormatError(.syntax, "\(error)")
        }
    }

    public mutating func write(_ delivery: Delivery) throws(FormatError) -> [OutboundFile]? {
        switch delivery.header.type {
        case MessageType.releaseNotice:
            guard let notice = try? BizReleaseNotice(serializedBytes: delivery.body) else { return nil }
            notices.keep(notice, as: notice.invtNo)
            return []
        case MessageType.summaryResult:
            guard let summary = try? BizSummaryResult(serializedBytes: delivery.body) else { return nil }
            var rows: [[String]] = []
            var done: [String] = []
            for number in Set(summary.summaryResultList.map(\.invtNo)).sorted() {
                guard let notice = notices.message(number) else { continue }
                rows += TaxCSV.exportLines(notice: notice, summary: summary, exportDate: String(notice.returnTime.prefix(8)))
                done.append(number)
            }
            guard !rows.isEmpty else { return nil }
            let content: [UInt8]
            do {
                content = try TaxCSV.exportFile(rows)
            } catch {
                throw FormatError(.unsupported, "the tax CSV cannot be written: \(error)")
            }
            for number in done { notices.remove(number) }
            let key = summary.entryID.isEmpty ? delivery.header.id : summary.entryID
            return [OutboundFile(name: HubJSONFile.fileName(type: "tax-export", id: key, extension: "csv"), content: content)]
        case MessageType.withdrawalNotice, MessageType.returnNotice:
            guard let rows = ReversalCSV.lines(type: delivery.header.type, id: delivery.header.id, body: delivery.body) else { return nil }
            // A withdrawn inventory not summarized yet never will be: its release notice goes.
            if let notice = try? BizWithdrawalNotice(serializedBytes: delivery.body),
                delivery.header.type == MessageType.withdrawalNotice.rawValue,
                !notice.summarized
            {
                notices.remove(notice.invtNo)
            }
            return try Self.reversalFile(rows, name: HubJSONFile.fileName(type: "tax-reversal", id: delivery.header.id, extension: "csv"))
        default:
            return nil
        }
    }

    /// The reversal file of a withdrawal or return notice (``ReversalCSV``).
    static func reversalFile(_ rows: [[String]], name: String) throws(FormatError) -> [OutboundFile] {
        do {
            return [OutboundFile(name: name, content: try ReversalCSV.file(rows))]
        } catch {
            throw FormatError(.unsupported, "the reversal CSV cannot be written: \(error)")
        }
    }

    public var state: [UInt8] { Self.encodeState(notices) }

    public mutating func restore(_ state: [UInt8]) throws {
        notices = try Self.decodeState(HeldMessages<BizReleaseNotice>.self, state)
    }
}
