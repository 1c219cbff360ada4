import HubProtocol
import Testing

/// The hub's vocabulary: message types with their bodies, the grammar of the ids the hub
/// emits, customs statuses.
@Suite("Vocabulary: message types and hub message ids")
struct VocabularyTests {
    @Test func messageTypesAreTheirWireNames() {
        #expect(MessageType.order.rawValue == "ceb.Order")
        #expect(MessageType.registrationResult.rawValue == "reg.Result")
        #expect(MessageType("ceb.Inventory") == .inventory)
        let literal: MessageType = "demo.Note"
        #expect(literal.rawValue == "demo.Note" && literal.bodyMessage == nil)
        #expect(Set(MessageType.known).count == MessageType.known.count)
        var header = WireHeader()
        header.messageType = .receipt
        #expect(header.type == "ceb.Receipt" && header.messageType == .receipt)
    }

    @Test func aSwitchOnTheWireStringMatchesTheConstants() {
        func kind(_ type: String) -> String {
            switch type {
            case MessageType.order, MessageType.payment: "document"
            case MessageType.receipt: "receipt"
            default: "other"
            }
        }
        #expect(kind("ceb.Order") == "document" && kind("ceb.Receipt") == "receipt" && kind("ceb.Orders") == "other")
    }

    /// Each named type's body is the business message of the same name in the schema.
    @Test(arguments: MessageType.known)
    func everyNamedTypeHasItsBusinessMessage(type: MessageType) throws {
        let message = try #require(type.bodyMessage, "\(type)")
        #expect(message.protoMessageName.hasPrefix("swhub.v1."))
    }

    @Test func declarationDocumentsAreTheFourFiledDocuments() {
        #expect(MessageType.declarationDocuments == [.order, .payment, .waybill, .inventory])
        #expect(DeclarationDocument.allCases.map(\.messageType) == MessageType.declarationDocuments)
        #expect(DeclarationDocument(.waybill) == .waybill && DeclarationDocument(.receipt) == nil)
    }

    @Test(arguments: [
        (HubMessageId.share(filer: "platform", filingId: "reg-1"), "share:platform:reg-1"),
        (.feedback(subjectId: "inv:7", subjectSender: "platform", number: 3), "fb:inv:7:platform:000003"),
        (.forward(filer: "platform", inventoryId: "a:b:inventory", document: .payment), "fwd:platform:a:b:inventory:payment"),
        (.releaseNotice(filer: "platform", inventoryId: "inv-7"), "rel:platform:inv-7"),
        (.summary(number: 12), "sum:000012"),
        (.summary(number: 1_234_567), "sum:1234567"),
        (.summaryResultShare(customs: "customs", resultId: "sr-1"), "sres:customs:sr-1"),
        (.creditShare(issuer: "tax", noticeId: "n:1"), "credit:tax:n:1"),
        (.answer(asker: "bank", queryId: "q-1"), "ans:bank:q-1"),
        (.riskNotice(filer: "platform", inventoryId: "a:inv-7", rule: "consumer_quota"), "risk:platform:a:inv-7:consumer_quota"),
        (.withdrawalNotice(filer: "platform", cancellationId: "cxl:1"), "wdn:platform:cxl:1"),
        (.returnNotice(filer: "platform", returnId: "ret-1"), "rtn:platform:ret-1"),
    ])
    func hubMessageIdsFormatAndParseBack(id: HubMessageId, text: String) {
        #expect(id.description == text)
        #expect(HubMessageId(text) == id)
        #expect(text.hasPrefix(id.kind.prefix))
    }

    @Test(arguments: [
        "", "order-1", "fwd:platform:inv-1", "fwd:platform::inventory", "fwd::inv-1:inventory", "fwd:platform:inv-1:receipt",
        "fb:inv-1:platform:12", "fb:platform:000001", "sum:12", "sum:+00001", "sum:00001x", "share:platform", "share::x",
        "rel:platform:", "unknown:a:b", "risk:platform:inv-7", "risk:platform:inv-7:", "risk::inv-7:split_orders",
    ])
    func otherIdsAreNotHubMessageIds(text: String) {
        #expect(HubMessageId(text) == nil)
    }

    @Test func feedbackPrefixIsTheStartOfEveryFeedbackId() {
        let prefix = HubMessageId.feedbackPrefix(subjectId: "inv-7", subjectSender: "platform")
        #expect(HubMessageId.feedback(subjectId: "inv-7", subjectSender: "platform", number: 1).description.hasPrefix(prefix))
        #expect(prefix == "fb:inv-7:platform:")
    }
}
