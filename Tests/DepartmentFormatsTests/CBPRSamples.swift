/// SWIFT CBPR+ business messages built from the head.001.001.02 field definitions: a
/// Business Application Header (Fr, To, BizMsgIdr, MsgDefIdr, BizSvc, CreDt, optional
/// CpyDplct) and a Document, together under an envelope element.
enum CBPRSamples {
    struct Header {
        var from = "BKCHCNBJXXX"
        var to = "SWHBCNSHXXX"
        var businessMessageId = "CBPR-MSG-0001"
        var messageDefinition = "camt.054.001.08"
        var businessService = "swift.cbprplus.03"
        var creationDate = "2024-03-15T18:31:00+08:00"
        var copyDuplicate = ""
        var namespace = "urn:iso:std:iso:20022:tech:xsd:head.001.001.02"
        /// A namespace prefix for the header's elements ("" for a default namespace).
        var prefix = ""
    }

    /// How the two parts are wrapped.
    enum Wrapping: String, CaseIterable {
        /// SWIFT's translator envelope, `<Envelope xmlns="urn:swift:xsd:envelope">`.
        case envelope
        /// `<BusMsgEnvlp xmlns="urn:swift:xsd:envelope">`.
        case busMsgEnvlp
        /// SWIFTNet's `<RequestPayload>` (prefixed).
        case requestPayload
        /// ISO's business message envelope: `<BizMsgEnvlp><Hdr>AppHdr</Hdr><Doc>Document</Doc>`.
        case bizMsgEnvlp
    }

    static func header(_ header: Header) -> String {
        let p = header.prefix.isEmpty ? "" : header.prefix + ":"
        let xmlns = header.prefix.isEmpty ? "xmlns" : "xmlns:\(header.prefix)"
        func party(_ name: String, _ bic: String) -> String {
            "<\(p)\(name)><\(p)FIId><\(p)FinInstnId><\(p)BICFI>\(bic)</\(p)BICFI></\(p)FinInstnId></\(p)FIId></\(p)\(name)>"
        }
        var fields = [party("Fr", header.from), party("To", header.to)]
        for (name, value) in [
            ("BizMsgIdr", header.businessMessageId), ("MsgDefIdr", header.messageDefinition), ("BizSvc", header.businessService),
            ("CreDt", header.creationDate), ("CpyDplct", header.copyDuplicate),
        ] where !value.isEmpty {
            fields.append("<\(p)\(name)>\(value)</\(p)\(name)>")
        }
        return "<\(p)AppHdr \(xmlns)=\"\(header.namespace)\">\n    " + fields.joined(separator: "\n    ") + "\n  </\(p)AppHdr>"
    }

    /// A whole file: the header and the document (written without XML declaration).
    static func message(_ header: Header?, document: String, wrapping: Wrapping = .envelope) -> String {
        let head = header.map { self.header($0) } ?? ""
        let body: String
        switch wrapping {
        case .envelope:
            body = "<Envelope xmlns=\"urn:swift:xsd:envelope\">\n  \(head)\n\(document)\n</Envelope>"
        case .busMsgEnvlp:
            body = "<BusMsgEnvlp xmlns=\"urn:swift:xsd:envelope\">\n  \(head)\n\(document)\n</BusMsgEnvlp>"
        case .requestPayload:
            body = "<Saa:RequestPayload xmlns:Saa=\"SWIFTNetBusinessEnvelope\">\n  \(head)\n\(document)\n</Saa:RequestPayload>"
        case .bizMsgEnvlp:
            body =
                "<BizMsgEnvlp xmlns=\"urn:iso:std:iso:20022:tech:xsd:nvlp.001.001.01\">\n  <Hdr>\(head)</Hdr>\n  <Doc>\(document)</Doc>\n</BizMsgEnvlp>"
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body
    }
}
