import DepartmentFormats
import HubProtocol
import Testing

/// What the ISO 20022 schemas allow and banks send, read as the standard means it: entry
/// statuses of every form (only BOOK is booked), copies and duplicates of a report not filed
/// again, dates with a zone, amounts in every xs:decimal form, and no DTD entities.
@Suite("camt.053/054: the standard's forms")
struct CamtStandardFormsTests {
    typealias Entry = CamtSamples.Entry
    typealias Tx = CamtSamples.Tx

    let options = CamtSamples.exportOptions

    func read(_ xml: String) throws -> CamtResult {
        try CamtReader.read(CamtSamples.bytes(xml), fileName: "camt.xml", options: options)
    }

    func error(_ xml: String) -> FormatError? {
        do {
            _ = try read(xml)
            return nil
        } catch {
            return error as? FormatError
        }
    }

    /// One booked credit linked by its EndToEndId, in a version-8 notification.
    func credit(_ entry: Entry = Entry(txs: [Tx(endToEndId: "EO2024031500001")]), copy: String = "") -> String {
        CamtSamples.document(version: 8, copyDuplicate: copy, entries: [entry])
    }

    @Test func onlyAnExplicitBookIsBooked() throws {
        #expect(try read(credit()).documents.count == 1)
        let proprietary = credit().replacingOccurrences(of: "<Sts><Cd>BOOK</Cd></Sts>", with: "<Sts><Prtry>PDNG</Prtry></Sts>")
        #expect(proprietary != credit())
        let pending = try read(proprietary)
        #expect(pending.documents.isEmpty && pending.notBookedSkipped == 1)
        let empty = try read(credit().replacingOccurrences(of: "<Sts><Cd>BOOK</Cd></Sts>", with: "<Sts/>"))
        #expect(empty.documents.isEmpty && empty.notBookedSkipped == 1)
        let missing = error(credit().replacingOccurrences(of: "<Sts><Cd>BOOK</Cd></Sts>", with: ""))
        #expect(missing?.code == .missingField && missing?.location.hasSuffix("/Ntry[1]/Sts") == true, "\(String(describing: missing))")
    }

    @Test(arguments: ["DUPL", "COPY", "CODU"])
    func creditsOfACopyOrDuplicateReportAreListedNotFiled(copy: String) throws {
        let result = try read(credit(copy: copy))
        #expect(result.documents.isEmpty)
        #expect(result.unlinked.count == 1)
        #expect(result.unlinked.first?.reason.contains("marked \(copy)") == true)
        #expect(error(credit(copy: "ORIG"))?.code == .invalidValue)
    }

    @Test func aDateWithAZoneAndTheEndOfTheDay() throws {
        let zoned = try read(credit(Entry(booking: "<Dt>2024-03-15+08:00</Dt>", txs: [Tx(endToEndId: "EO2024031500001")])))
        #expect(try BizPayment(serializedBytes: try #require(zoned.documents.first).body).accountingDate == "20240315000000")
        let midnight = try read(credit(Entry(booking: "<DtTm>2024-03-15T24:00:00</DtTm>", txs: [Tx(endToEndId: "EO2024031500001")])))
        #expect(try BizPayment(serializedBytes: try #require(midnight.documents.first).body).accountingDate == "20240316000000")
        #expect(error(credit(Entry(booking: "<Dt>2024-03-15+8</Dt>", txs: [Tx(endToEndId: "EO2024031500001")])))?.code == .invalidValue)
    }

    @Test(arguments: [("+100.00", "100"), (".5", "0.5"), ("100.", "100"), ("100.000000", "100"), ("1250.50", "1250.50")])
    func amountsInEveryDecimalForm(written: String, read: String) throws {
        let result = try self.read(credit(Entry(amount: written, txs: [Tx(endToEndId: "EO2024031500001")])))
        #expect(try BizPayment(serializedBytes: try #require(result.documents.first).body).charge == read)
    }

    @Test(arguments: ["-1.00", "1.123456", "1e2", "1234567890123456789"])
    func amountsTheTypeDoesNotAllow(written: String) {
        #expect(error(credit(Entry(amount: written, txs: [Tx(endToEndId: "EO2024031500001")])))?.code == .invalidValue, "\(written)")
    }

    @Test func aCurrencyAndACreationTimeAsTheSchemaWritesThem() {
        let lower = error(credit(Entry(currency: "usd", txs: [Tx(endToEndId: "EO2024031500001")])))
        #expect(lower?.code == .invalidValue && lower?.location.hasSuffix("/@Ccy") == true, "\(String(describing: lower))")
        let badTime = credit().replacingOccurrences(
            of: "<GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2024-03-15T18:30:00+08:00</CreDtTm>",
            with: "<GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>15/03/2024</CreDtTm>")
        #expect(badTime != credit())
        #expect(error(badTime)?.code == .invalidValue)
        let noTime = credit().replacingOccurrences(of: "<CreDtTm>2024-03-15T18:30:00+08:00</CreDtTm></GrpHdr>", with: "</GrpHdr>")
        #expect(noTime != credit())
        #expect(error(noTime)?.code == .missingField)
    }

    @Test func aDocumentWithADTDIsRefused() {
        let declared = credit().replacingOccurrences(
            of: "<Document", with: "<!DOCTYPE Document [<!ENTITY ref \"EO2024031500001\">]>\n<Document")
        let refusal = error(declared)
        #expect(refusal?.code == .syntax)
        #expect(refusal?.reason.contains("DTD") == true && refusal?.location == "line 2", "\(String(describing: refusal))")
    }
}
