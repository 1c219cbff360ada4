import DepartmentFormats
import HubProtocol
import SwiftProtobuf
import Testing

/// Returns and reversals in camt.053/054: reported with what makes them one, never payments.
@Suite("camt returns and reversals")
struct CamtReturnTests {
    typealias Tx = CamtSamples.Tx
    typealias Entry = CamtSamples.Entry

    let export = CamtOptions(ieFlag: "E", payCode: "3100000001", ebpCode: "3101960001", ebcCode: "3101960002")

    func read(_ xml: String) throws -> CamtResult {
        try CamtReader.read(CamtSamples.bytes(xml), fileName: "camt.xml", options: export)
    }

    /// The case: proceeds sent back by the payer's bank, booked as a credit with
    /// PMNT/ICDT/RRTN and return information AC01.
    func returnedCredit(version: Int, statement: Bool = false) -> String {
        CamtSamples.document(
            version: version, statement: statement,
            entries: [
                Entry(
                    amount: "200.50", currency: "CNY", acctSvcrRef: "RET-1",
                    txs: [
                        Tx(
                            endToEndId: "P20180507001", ustrd: ["orderNo=EO2024031500001"], debtor: "ACME Ltd",
                            returnReason: "AC01", returnInfo: ["account number unknown"])
                    ],
                    domain: ["PMNT", "ICDT", "RRTN"]),
                Entry(amount: "99.99", txs: [Tx(endToEndId: "EO2024031500002")]),
            ])
    }

    @Test(arguments: [(2, false), (4, false), (8, false), (2, true), (8, true)])
    func returnWithCodeAndReturnInformationIsReportedNotBooked(version: Int, statement: Bool) throws {
        let result = try read(returnedCredit(version: version, statement: statement))
        #expect(result.documents.map(\.position) == ["entry 2 tx 1"], "only the ordinary credit is a payment")
        #expect(result.debitsSkipped == 0 && result.unlinked.isEmpty)
        try #require(result.returns.count == 1)
        let returned = result.returns[0]
        #expect(returned.kind == .returned)
        #expect(returned.position == "entry 1 tx 1")
        #expect(returned.isCredit && returned.amount == "200.50" && returned.currency == "CNY")
        #expect(returned.orderNo == "EO2024031500001")
        #expect(returned.bankTransactionCode == "PMNT/ICDT/RRTN")
        #expect(returned.reasonCode == "AC01" && returned.reasonText == "account number unknown")
        #expect(returned.references.endToEndId == "P20180507001")
        #expect(returned.bookingDate == "20240315000000")
        let summary = returned.summary
        #expect(summary.hasPrefix("return: credit of 200.50 CNY booked 20240315000000 for order EO2024031500001"))
        #expect(summary.contains("PMNT/ICDT/RRTN (reversal due to payment return)"))
        #expect(summary.contains("return information AC01 IncorrectAccountNumber 'account number unknown'"))
        #expect(summary.hasSuffix("not booked as a payment"))
    }

    @Test func returnInformationAloneMakesAReturn() throws {
        // An ordinary transfer code, but the transaction carries RtrInf (proprietary reason).
        let xml = CamtSamples.document(
            version: 8, entries: [Entry(txs: [Tx(endToEndId: "EO2024031500003", returnInfo: ["returned by beneficiary bank"])])])
        let result = try read(xml)
        #expect(result.documents.isEmpty)
        let returned = try #require(result.returns.first)
        #expect(returned.reasonCode.isEmpty && returned.bankTransactionCode == "PMNT/RCDT/XBCT")
        #expect(returned.evidence == ["return information 'returned by beneficiary bank'"])
    }

    @Test(arguments: [["PMNT", "ICDT", "RRTN"], ["PMNT", "RCDT", "RPCR"], ["PMNT", "RCDT", "ARET"], ["PMNT", "IDDT", "UPDD"]])
    func returnSubFamiliesOfTheTransactionMakeReturns(domain: [String]) throws {
        // One entry, two transactions: the one with its own return code is reported, the other booked.
        let xml = CamtSamples.document(
            version: 4,
            entries: [
                Entry(
                    amount: "30.00",
                    txs: [
                        Tx(amount: "20.00", endToEndId: "EO2024031500004", domain: domain),
                        Tx(amount: "10.00", endToEndId: "EO2024031500005", domain: ["PMNT", "RCDT", "ESCT"]),
                    ])
            ])
        let result = try read(xml)
        #expect(result.returns.map(\.position) == ["entry 1 tx 1"])
        #expect(result.returns.first?.bankTransactionCode == domain.joined(separator: "/"))
        #expect(result.documents.map(\.position) == ["entry 1 tx 2"])
    }

    @Test(arguments: ["PMNT/ESCT/RRTN", "NRTI", "RRTN"])
    func proprietaryCodesNamingAReturnMakeReturns(code: String) throws {
        let xml = CamtSamples.document(
            version: 8, entries: [Entry(txs: [Tx(endToEndId: "EO2024031500006")], proprietaryCode: code)])
        let result = try read(xml)
        #expect(result.documents.isEmpty)
        #expect(result.returns.first?.bankTransactionCode == code)
        // A proprietary code that names no return is an ordinary credit.
        let plain = CamtSamples.document(
            version: 8, entries: [Entry(txs: [Tx(endToEndId: "EO2024031500006")], proprietaryCode: "NTRF+166")])
        #expect(try read(plain).documents.count == 1)
    }

    @Test func reversalsOfCreditsAndDebitsAreReported() throws {
        let xml = CamtSamples.document(
            version: 8,
            entries: [
                // The bank takes back a credit it booked by mistake: a debit with RvslInd.
                Entry(amount: "1250.50", indicator: "DBIT", reversal: true, txs: [Tx(endToEndId: "E2E-0001")]),
                // A debit reversed: a credit with RvslInd, which must not count as proceeds.
                Entry(amount: "15.00", reversal: true, info: "orderNo=EO2024031500007"),
                Entry(amount: "5.00", indicator: "DBIT"),
            ])
        let result = try read(xml)
        #expect(result.documents.isEmpty)
        #expect(result.debitsSkipped == 1)
        #expect(result.returns.map(\.kind) == [.reversal, .reversal])
        #expect(result.returns.map(\.isCredit) == [false, true])
        #expect(result.returns.map(\.position) == ["entry 1 tx 1", "entry 2"])
        #expect(result.returns[1].orderNo == "EO2024031500007")
        #expect(result.returns[0].summary.hasPrefix("reversal: debit of 1250.50 USD"))
        #expect(result.returns[0].evidence == ["RvslInd true"])
    }

    @Test func pendingReturnsAreNotBookedAtAll() throws {
        let xml = CamtSamples.document(
            version: 8,
            entries: [Entry(status: "PDNG", txs: [Tx(endToEndId: "EO1", returnReason: "AC04")], domain: ["PMNT", "ICDT", "RRTN"])])
        let result = try read(xml)
        #expect(result.returns.isEmpty && result.documents.isEmpty && result.notBookedSkipped == 1)
    }

    @Test func aReturnWithAnUnknownCurrencyIsStillReported() throws {
        // Currencies are mapped for payments only; a return keeps the code as written.
        let xml = CamtSamples.document(
            version: 8, entries: [Entry(currency: "XAU", txs: [Tx(endToEndId: "EO1", returnReason: "MS03")])])
        #expect(try read(xml).returns.first?.currency == "XAU")
    }
}
