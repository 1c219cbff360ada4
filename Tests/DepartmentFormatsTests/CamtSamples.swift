import DepartmentFormats

/// camt.053 / camt.054 documents written the way each message version structures them:
/// 02 (Sts as text, TxDtls amount in AmtDtls/TxAmt, agent BIC, Dbtr/Nm), 04 (TxDtls/Amt,
/// BICFI) and 08 (Sts/Cd, Dbtr/Pty/Nm).
enum CamtSamples {
    /// The options of an exporter's bank, as the readers' tests use them.
    static let exportOptions = CamtOptions(
        ieFlag: "E", payCode: "3100000001", payName: "中国银行上海分行", ebpCode: "3101960001", ebpName: "跨境平台",
        ebcCode: "3101960002", ebcName: "上海出口电商有限公司")

    struct Tx {
        var amount: String? = nil
        var indicator: String? = nil
        var endToEndId = ""
        var txId = ""
        var acctSvcrRef = ""
        var ustrd: [String] = []
        var creditorRef = ""
        var debtor = ""
        var iban = ""
        var bic = ""
        var country = ""
        /// A bank transaction code of the transaction's own (Domn/Cd, Fmly/Cd, Fmly/SubFmlyCd).
        var domain: [String] = []
        /// A proprietary bank transaction code of its own (BkTxCd/Prtry/Cd).
        var proprietaryCode = ""
        /// RtrInf/Rsn/Cd; with `returnInfo`, RtrInf is written when either is set.
        var returnReason = ""
        /// RtrInf/AddtlInf lines.
        var returnInfo: [String] = []
    }

    struct Entry {
        var amount: String? = "100.00"
        var currency = "USD"
        var indicator = "CRDT"
        var status = "BOOK"
        var reversal = false
        var booking = "<Dt>2024-03-15</Dt>"
        var acctSvcrRef = ""
        var info = ""
        var txs: [Tx] = []
        /// BkTxCd/Domn: Cd, Fmly/Cd, Fmly/SubFmlyCd.
        var domain = ["PMNT", "RCDT", "XBCT"]
        /// BkTxCd/Prtry/Cd, written instead of Domn when set.
        var proprietaryCode = ""
    }

    /// BkTxCd from a domain triple or a proprietary code.
    static func bankCode(_ domain: [String], proprietary: String) -> String {
        if !proprietary.isEmpty { return "<BkTxCd><Prtry><Cd>\(proprietary)</Cd></Prtry></BkTxCd>" }
        guard domain.count == 3 else { return "" }
        return "<BkTxCd><Domn><Cd>\(domain[0])</Cd><Fmly><Cd>\(domain[1])</Cd><SubFmlyCd>\(domain[2])</SubFmlyCd></Fmly></Domn></BkTxCd>"
    }

    /// A camt.054 (notification) or, with `statement`, camt.053 document.
    /// - Parameters:
    ///   - servicerBIC: the account servicer's BIC (Acct/Svcr), "" for none.
    ///   - recipientBIC: GrpHdr/MsgRcpt's BIC, "" for none.
    ///   - copyDuplicate: the report's CpyDplctInd, "" for none.
    ///   - declaration: with the XML declaration (a document under an envelope has none).
    static func document(
        version: Int, statement: Bool = false, messageId: String = "MSG-1", servicerBIC: String = "", recipientBIC: String = "",
        copyDuplicate: String = "", declaration: Bool = true, entries: [Entry]
    ) -> String {
        let type = statement ? "camt.053" : "camt.054"
        let (message, report) = statement ? ("BkToCstmrStmt", "Stmt") : ("BkToCstmrDbtCdtNtfctn", "Ntfctn")
        let body = entries.map { entry($0, version: version) }.joined(separator: "\n")
        let recipient =
            recipientBIC.isEmpty
            ? ""
            : "<MsgRcpt><Id><OrgId><\(version == 2 ? "BICOrBEI" : "AnyBIC")>\(recipientBIC)</\(version == 2 ? "BICOrBEI" : "AnyBIC")></OrgId></Id></MsgRcpt>"
        let servicer =
            servicerBIC.isEmpty
            ? ""
            : "<Svcr><FinInstnId><\(version >= 5 ? "BICFI" : "BIC")>\(servicerBIC)</\(version >= 5 ? "BICFI" : "BIC")></FinInstnId></Svcr>"
        let copy = copyDuplicate.isEmpty ? "" : "<CpyDplctInd>\(copyDuplicate)</CpyDplctInd>"
        return (declaration ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" : "") + """
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:\(type).001.0\(version)" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
              <\(message)>
                <GrpHdr><MsgId>\(messageId)</MsgId><CreDtTm>2024-03-15T18:30:00+08:00</CreDtTm>\(recipient)</GrpHdr>
                <\(report)>
                  <Id>R-1</Id>
                  <CreDtTm>2024-03-15T18:30:00+08:00</CreDtTm>\(copy)
                  <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id>\(servicer)</Acct>
            \(body)
                </\(report)>
              </\(message)>
            </Document>
            """
    }

    private static func entry(_ entry: Entry, version: Int) -> String {
        let amount = entry.amount.map { "<Amt Ccy=\"\(entry.currency)\">\($0)</Amt>" } ?? ""
        let status = version >= 8 ? "<Sts><Cd>\(entry.status)</Cd></Sts>" : "<Sts>\(entry.status)</Sts>"
        let details =
            entry.txs.isEmpty
            ? "" : "<NtryDtls>" + entry.txs.map { tx($0, version: version, currency: entry.currency) }.joined() + "</NtryDtls>"
        return """
                  <Ntry>
                    \(amount)<CdtDbtInd>\(entry.indicator)</CdtDbtInd>\(entry.reversal ? "<RvslInd>true</RvslInd>" : "")\(status)
                    <BookgDt>\(entry.booking)</BookgDt><ValDt><Dt>2024-03-16</Dt></ValDt>
                    \(entry.acctSvcrRef.isEmpty ? "" : "<AcctSvcrRef>\(entry.acctSvcrRef)</AcctSvcrRef>")
                    \(bankCode(entry.domain, proprietary: entry.proprietaryCode))
                    \(details)
                    \(entry.info.isEmpty ? "" : "<AddtlNtryInf>\(entry.info)</AddtlNtryInf>")
                  </Ntry>
            """
    }

    private static func tx(_ tx: Tx, version: Int, currency: String) -> String {
        var parts: [String] = []
        let refs = [("AcctSvcrRef", tx.acctSvcrRef), ("EndToEndId", tx.endToEndId), ("TxId", tx.txId)]
            .filter { !$0.1.isEmpty }.map { "<\($0.0)>\($0.1)</\($0.0)>" }.joined()
        parts.append("<Refs>\(refs)</Refs>")
        if let amount = tx.amount {
            parts.append(
                version >= 4
                    ? "<Amt Ccy=\"\(currency)\">\(amount)</Amt>"
                    : "<AmtDtls><TxAmt><Amt Ccy=\"\(currency)\">\(amount)</Amt></TxAmt></AmtDtls>")
        }
        if let indicator = tx.indicator, version >= 4 { parts.append("<CdtDbtInd>\(indicator)</CdtDbtInd>") }
        parts.append(bankCode(tx.domain, proprietary: tx.proprietaryCode))
        if !tx.debtor.isEmpty || !tx.iban.isEmpty {
            let address = tx.country.isEmpty ? "" : "<PstlAdr><Ctry>\(tx.country)</Ctry></PstlAdr>"
            let party = "<Nm>\(tx.debtor)</Nm>\(address)"
            let debtor = version >= 8 ? "<Dbtr><Pty>\(party)</Pty></Dbtr>" : "<Dbtr>\(party)</Dbtr>"
            let account = tx.iban.isEmpty ? "" : "<DbtrAcct><Id><IBAN>\(tx.iban)</IBAN></Id></DbtrAcct>"
            parts.append("<RltdPties>\(debtor)\(account)</RltdPties>")
        }
        if !tx.bic.isEmpty {
            let element = version >= 4 ? "BICFI" : "BIC"
            parts.append("<RltdAgts><DbtrAgt><FinInstnId><\(element)>\(tx.bic)</\(element)></FinInstnId></DbtrAgt></RltdAgts>")
        }
        if !tx.ustrd.isEmpty || !tx.creditorRef.isEmpty {
            let ustrd = tx.ustrd.map { "<Ustrd>\($0)</Ustrd>" }.joined()
            let strd =
                tx.creditorRef.isEmpty
                ? "" : "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>\(tx.creditorRef)</Ref></CdtrRefInf></Strd>"
            parts.append("<RmtInf>\(ustrd)\(strd)</RmtInf>")
        }
        if !tx.returnReason.isEmpty || !tx.returnInfo.isEmpty {
            let reason = tx.returnReason.isEmpty ? "" : "<Rsn><Cd>\(tx.returnReason)</Cd></Rsn>"
            parts.append("<RtrInf>\(reason)" + tx.returnInfo.map { "<AddtlInf>\($0)</AddtlInf>" }.joined() + "</RtrInf>")
        }
        return "<TxDtls>" + parts.joined() + "</TxDtls>"
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}
