import HubStore
import Testing

@Suite("Recipient lists")
struct RecipientListTests {
    @Test func splitInvertsJoin() throws {
        for recipients in [
            ["customs"], ["customs", "tax", "forex", "post", "bank"], ["海关", "税务"], ["a", "\u{301}b"], ["e\u{301}", "x"],
            [String(repeating: "p", count: 300), "q"],
        ] {
            #expect(RecipientList.split(try RecipientList.join(recipients)) == recipients, "\(recipients)")
        }
        #expect(RecipientList.split("").isEmpty)
        #expect(throws: StoreError.self) { try RecipientList.join(["a,b"]) }
        #expect(throws: StoreError.self) { try RecipientList.join([""]) }
    }
}
