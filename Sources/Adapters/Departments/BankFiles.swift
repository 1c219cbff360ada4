import DepartmentFormats
import Foundation
import HubClient
import HubProtocol

/// A bank's files, ISO 20022 (`Docs/adapters/bank-iso20022.md`):
/// - in: camt.054 notifications and camt.053 statements (`*.xml`), versions 001.02–001.08,
///   bare or as a CBPR+ business message (AppHdr and Document in an envelope): each credit
///   entry becomes a `ceb.Payment` (export proceeds or import payment, as configured)
///   linked to its order by the remittance information or EndToEndId; an entry that links
///   to nothing is reported beside the file (`<file>.unlinked.txt`), not dropped; a return
///   or reversal is reported there too (`<file>.returned.txt`) and never becomes a payment;
/// - out: once a summary result brings the entryId, a settlement instruction (pacs.008 or
///   pain.001, as configured; pacs.008 as a CBPR+ business message with its head.001
///   header when `cbpr_plus` is set) per released export order it covers, with the entryId in the
///   remittance information; the release notices are kept until then. Registrations shared
///   with the bank tell it the exporters' accounts (else the account is the exporter's
///   customs code); a withdrawal notice (an export cancelled after its release) drops the
///   held release notice, so no instruction pays for it. Everything else, and the notices
///   and results themselves, as hub JSON.
public struct BankFiles: DepartmentFiles {
    let settings: AdapterSettings.Bank
    private var held = Held()

    struct Account: Codable, Equatable, Sendable {
        var number: String
        var name: String
        var bankCode: String
    }

    struct Held: Codable, Equatable, Sendable {
        var notices = HeldMessages<BizReleaseNotice>()
        var accounts: [String: Account] = [:]  // exporter's customs code → its account with a bank
    }

    public init(settings: AdapterSettings.Bank) {
        self.settings = settings
    }

    var camtOptions: CamtOptions {
        var options = CamtOptions(
            ieFlag: settings.ieFlag, payCode: settings.payCode, payName: settings.payName, ebpCode: settings.ebpCode,
            ebcCode: settings.ebcCode)
        if !settings.orderPattern.isEmpty { options.orderPattern = settings.orderPattern }
        return options
    }

    public func read(name: String, data: [UInt8]) throws(FormatError) -> FileReading {
        guard name.lowercased().hasSuffix(".xml") else {
            throw FormatError(.unknownDocument, "the bank adapter reads camt.053/camt.054 as .xml (or hub JSON as .json), not \(name)")
        }
        let result: CamtResult
        do {
            result = try CamtReader.read(data, fileName: name, options: camtOptions)
        } catch let error as FormatError {
            throw error
        } catch {
            throw FormatError(.syntax, "\(error)")
        }
        let unlinked = result.unlinked.map { entry in
            FormatError(
                .missingField, at: entry.position,
                "credit of \(entry.amount) \(entry.currency) booked \(entry.bookingDate) links to no order "
                    + "(EndToEndId '\(entry.references.endToEndId)', remittance '\(entry.references.remittance.joined(separator: " | "))'): \(entry.reason)"
            )
        }
        let returned = result.returns.map { FormatError(.returned, at: "\($0.position) (\($0.path))", $0.summary) }
        return FileReading(documents: result.documents, unlinked: unlinked, returned: returned)
    }

    public mutating func write(_ delivery: Delivery) throws(FormatError) -> [OutboundFile]? {
        switch delivery.header.type {
        case MessageType.registration:
            if let registration = try? BizRegistration(serializedBytes: delivery.body), let account = registration.bankAccounts.first,
                !registration.customsCode.isEmpty
            {
                held.accounts[registration.customsCode] = Account(
                    number: account.accountNo, name: account.accountName, bankCode: account.bankCode)
            }
            return nil
        case MessageType.releaseNotice:
            if let notice = try? BizReleaseNotice(serializedBytes: delivery.body), notice.ieFlag == "E" {
                held.notices.keep(notice, as: notice.invtNo)
            }
            return nil
        case MessageType.withdrawalNotice:
            // Customs approved the cancellation of a released export: no settlement
            // instruction is written for it, summarized or not (a summary result that
            // still lists it finds no notice held).
            if let notice = try? BizWithdrawalNotice(serializedBytes: delivery.body) { held.notices.remove(notice.invtNo) }
            return nil
        case MessageType.summaryResult:
            guard let summary = try? BizSummaryResult(serializedBytes: delivery.body) else { return nil }
            var files = [try HubJSONFile.write(delivery.header, body: delivery.body)]
            for number in Set(summary.summaryResultList.map(\.invtNo)).sorted() {
                guard let notice = held.notices.message(number) else { continue }
                files.append(try instruction(for: notice, summary: summary, delivery: delivery))
                held.notices.remove(number)
            }
            return files
        default:
            return nil
        }
    }

    /// The settlement instruction paying the exporter of a released order.
    private func instruction(for notice: BizReleaseNotice, summary: BizSummaryResult, delivery: Delivery) throws(FormatError)
        -> OutboundFile
    {
        let seconds = Double(delivery.header.journaledAtUs) / 1_000_000
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        let cbpr = settings.cbprPlus && settings.settlement == "pacs.008"
        // CBPR+ date-times carry their UTC offset.
        let created = formatter.string(from: Date(timeIntervalSince1970: seconds)) + (cbpr ? "+00:00" : "")
        let account = held.accounts[notice.ebcCode]
        let exporterBIC = account.map(\.bankCode).flatMap { Self.looksLikeBIC($0) ? $0 : nil } ?? settings.bic
        let debtor = SettlementInstruction.Party(
            name: settings.name.isEmpty ? settings.payName : settings.name, account: .other(settings.payCode), bic: settings.bic)
        let creditor = SettlementInstruction.Party(
            name: notice.ebcName.isEmpty ? notice.ebcCode : notice.ebcName,
            account: .other(account?.number ?? notice.ebcCode), bic: exporterBIC)
        let messageId = "SWH" + StableHash(seed: 0, delivery.header.id, notice.invtNo).hex.uppercased()
        do {
            var instruction = try SettlementInstruction.releasedOrder(
                notice, entryId: summary.entryID, messageId: messageId, creationTime: created,
                executionDate: String(created.prefix(10)), debtor: debtor, creditor: creditor)
            let pain = settings.settlement == "pain.001"
            let content: [UInt8]
            if pain {
                content = try SettlementWriter.pain001(instruction)
            } else if cbpr {
                // No clearing system between correspondents: the instructed agent settles; charges shared.
                instruction.settlementMethod = "INDA"
                instruction.chargeBearer = "SHAR"
                content = try SettlementWriter.cbprPacs008(instruction, businessService: settings.cbprBusinessService)
            } else {
                content = try SettlementWriter.pacs008(instruction)
            }
            let kind = pain ? "pain001" : "pacs008"
            return OutboundFile(
                name: HubJSONFile.fileName(type: kind, id: "\(summary.entryID)-\(notice.invtNo)", extension: "xml"), content: content)
        } catch let error as FormatError {
            throw error
        } catch {
            throw FormatError(.unsupported, "the settlement instruction cannot be written: \(error)")
        }
    }

    static func looksLikeBIC(_ code: String) -> Bool {
        [8, 11].contains(code.count) && code.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }
    }

    public var state: [UInt8] { Self.encodeState(held) }

    public mutating func restore(_ state: [UInt8]) throws {
        held = try Self.decodeState(Held.self, state)
    }
}
