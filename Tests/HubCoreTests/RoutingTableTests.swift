import HubCore
import HubProtocol
import Testing

@Suite("RoutingTable.route")
struct RoutingTableTests {
    /// enterprise and forex subscribe to nothing; customs and tax to demo.Note; bank to
    /// demo.Query; nobody to demo.Empty. Bodies up to 1000 bytes.
    static let table: RoutingTable = {
        let yaml = """
            hub:
              endpoint: tcp://127.0.0.1:5570
              key_file: hub.key
              journal: j.sqlite
              max_body_bytes: 1000
            types: [demo.Note, demo.Query, demo.Empty]
            parties:
              - id: enterprise
                public_key: "\(TestKeys.a)"
              - id: customs
                public_key: "\(TestKeys.b)"
                subscribes: [demo.Note]
              - id: tax
                public_key: "\(TestKeys.c)"
                subscribes: [demo.Note]
              - id: bank
                public_key: "\(TestKeys.d)"
                subscribes: [demo.Query]
              - id: forex
                public_key: "\(TestKeys.e)"
            """
        // A config that fails to parse is a bug of this test; fail loudly.
        let config = try! HubConfig.parse(yaml: yaml, baseDirectory: "/") { _ in "" }
        return RoutingTable(config: config)
    }()

    static func header(
        id: String = "m-1", type: String = "demo.Note", sender: String = "", recipients: [String] = []
    ) -> WireHeader {
        var header = WireHeader()
        header.id = id
        header.type = type
        header.sender = sender
        header.recipients = recipients
        return header
    }

    static func route(
        from party: String = "enterprise", _ header: WireHeader = header(), bodyBytes: Int = 10
    ) -> Result<[String], HubFailure> {
        table.route(from: party, header: header, bodyBytes: bodyBytes)
    }

    static func failureCode(_ result: Result<[String], HubFailure>) -> HubErrorCode? {
        if case .failure(let failure) = result { return failure.code }
        return nil
    }

    static func failureReason(_ result: Result<[String], HubFailure>) -> String? {
        if case .failure(let failure) = result { return failure.reason }
        return nil
    }

    // MARK: - recipients

    @Test func subscribersInConfigOrder() throws {
        #expect(try Self.route(Self.header()).get() == ["customs", "tax"])
        #expect(try Self.route(Self.header(type: "demo.Query")).get() == ["bank"])
    }

    @Test func explicitRecipientsFirstThenSubscribers() throws {
        let recipients = try Self.route(Self.header(recipients: ["forex", "bank"])).get()
        #expect(recipients == ["forex", "bank", "customs", "tax"])
    }

    @Test func eachRecipientOnce() throws {
        let recipients = try Self.route(Self.header(recipients: ["tax", "bank", "tax", "bank"])).get()
        #expect(recipients == ["tax", "bank", "customs"], "explicit order kept, subscriber tax not repeated")
    }

    @Test func eachOfManyRecipientsOnce() throws {
        // Past 16 recipients the table deduplicates through a set: the same order, each once.
        let keys = [TestKeys.a, TestKeys.b, TestKeys.c, TestKeys.d, TestKeys.e]
        var yaml = "hub: {endpoint: \"tcp://127.0.0.1:5570\", key_file: hub.key, journal: j.sqlite}\ntypes: [demo.Note]\nparties:\n"
        for n in 0..<20 {
            let subscribes = n == 19 ? ", subscribes: [demo.Note]" : ""
            yaml += "  - {id: p\(n), public_key: \"\(String(keys[n % 5].dropLast(2)) + String(format: "%02d", n))\"\(subscribes)}\n"
        }
        let table = RoutingTable(config: try HubConfig.parse(yaml: yaml, baseDirectory: "/") { _ in "" })
        let named = (0..<19).map { "p\($0)" }
        let routed = try table.route(from: "p0", header: Self.header(recipients: named + named.reversed()), bodyBytes: 10).get()
        #expect(routed == named + ["p19"])
    }

    @Test func senderIsNotItsOwnSubscriber() throws {
        #expect(try Self.route(from: "customs", Self.header()).get() == ["tax"])
        #expect(try Self.route(from: "bank", Self.header(type: "demo.Query")).get() == [])
    }

    @Test func senderNamingItselfIsIncluded() throws {
        #expect(try Self.route(from: "customs", Self.header(recipients: ["customs"])).get() == ["customs", "tax"])
        #expect(
            try Self.route(from: "enterprise", Self.header(type: "demo.Empty", recipients: ["enterprise"])).get()
                == ["enterprise"])
    }

    @Test func noRecipientsIsAccepted() throws {
        #expect(try Self.route(Self.header(type: "demo.Empty")).get() == [])
    }

    @Test func senderEqualToThePartyIsAccepted() throws {
        #expect(try Self.route(from: "enterprise", Self.header(sender: "enterprise")).get() == ["customs", "tax"])
    }

    @Test func knowsParties() {
        for party in ["enterprise", "customs", "tax", "bank", "forex"] { #expect(Self.table.knows(party: party)) }
        #expect(!Self.table.knows(party: "nobody"))
        #expect(!Self.table.knows(party: ""))
        #expect(!Self.table.knows(party: "Customs"))
        #expect(Self.table.maxBodyBytes == 1000)
    }

    // MARK: - refusals

    @Test func emptyIdIsMissing() {
        #expect(Self.failureCode(Self.route(Self.header(id: ""))) == .missingId)
    }

    @Test func idLimitIsInUTF8Bytes() {
        #expect(throws: Never.self) { try Self.route(Self.header(id: String(repeating: "x", count: 128))).get() }
        #expect(Self.failureCode(Self.route(Self.header(id: String(repeating: "x", count: 129)))) == .missingId)
        // "é" is 2 bytes: 64 of them are 128 bytes, 65 are 130 bytes but only 65 characters.
        #expect(throws: Never.self) { try Self.route(Self.header(id: String(repeating: "é", count: 64))).get() }
        #expect(Self.failureCode(Self.route(Self.header(id: String(repeating: "é", count: 65)))) == .missingId)
    }

    @Test func senderMismatch() {
        #expect(Self.failureCode(Self.route(from: "enterprise", Self.header(sender: "tax"))) == .senderMismatch)
        #expect(Self.failureCode(Self.route(from: "enterprise", Self.header(sender: "Enterprise"))) == .senderMismatch)
        #expect(Self.failureCode(Self.route(from: "enterprise", Self.header(sender: "nobody"))) == .senderMismatch)
    }

    @Test func unknownType() {
        #expect(Self.failureCode(Self.route(Self.header(type: "demo.Nope"))) == .unknownType)
        #expect(Self.failureCode(Self.route(Self.header(type: "demo.note"))) == .unknownType, "types are case sensitive")
        let empty = Self.route(Self.header(type: ""))
        #expect(Self.failureCode(empty) == .unknownType)
        #expect(Self.failureReason(empty)?.contains("(empty)") == true)
    }

    @Test func bodyLimitIsInclusive() {
        #expect(throws: Never.self) { try Self.route(bodyBytes: 0).get() }
        #expect(throws: Never.self) { try Self.route(bodyBytes: 1000).get() }
        #expect(Self.failureCode(Self.route(bodyBytes: 1001)) == .bodyTooLarge)
        #expect(Self.failureCode(Self.route(bodyBytes: Int.max)) == .bodyTooLarge)
    }

    @Test func unknownRecipient() {
        #expect(Self.failureCode(Self.route(Self.header(recipients: ["customs", "nobody"]))) == .unknownRecipient)
        #expect(Self.failureCode(Self.route(Self.header(recipients: [""]))) == .unknownRecipient)
        #expect(Self.failureCode(Self.route(Self.header(recipients: ["TAX"]))) == .unknownRecipient)
    }

    /// Reasons quote client input only in bounded length.
    @Test func reasonsAreBounded() {
        let huge = String(repeating: "z", count: 10_000)
        for result in [
            Self.route(Self.header(sender: huge)), Self.route(Self.header(type: huge)),
            Self.route(Self.header(recipients: [huge])), Self.route(Self.header(id: huge)),
        ] {
            let reason = Self.failureReason(result)
            #expect(reason != nil)
            #expect((reason?.count ?? 0) < 400)
        }
    }

    /// PROTOCOL.md §4 lists the checks in order: id, sender, type, recipients, body size.
    @Test func checksInDocumentedOrder() {
        let tooBig = 1001
        #expect(
            Self.failureCode(
                Self.route(
                    from: "enterprise",
                    Self.header(id: "", type: "nope", sender: "tax", recipients: ["nobody"]), bodyBytes: tooBig)) == .missingId)
        #expect(
            Self.failureCode(
                Self.route(
                    from: "enterprise",
                    Self.header(type: "nope", sender: "tax", recipients: ["nobody"]), bodyBytes: tooBig)) == .senderMismatch)
        #expect(
            Self.failureCode(
                Self.route(
                    from: "enterprise",
                    Self.header(type: "nope", recipients: ["nobody"]), bodyBytes: tooBig)) == .unknownType)
        #expect(
            Self.failureCode(
                Self.route(
                    from: "enterprise",
                    Self.header(recipients: ["nobody"]), bodyBytes: tooBig)) == .unknownRecipient,
            "PROTOCOL.md §4: UNKNOWN_RECIPIENT (407) is checked before BODY_TOO_LARGE (406)")
    }
}
