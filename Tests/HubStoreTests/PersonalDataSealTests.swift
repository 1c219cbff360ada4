import Crypto
import Foundation
import HubCore
import HubProtocol
import HubStore
import Testing

/// Personal fields sealed on the way into the journal and opened on the way out, with
/// AES-256-GCM (swift-crypto) standing in for the data-key vault.
@Suite("Personal fields sealed in stored bodies")
struct PersonalDataSealTests {
    struct NoKey: Error, CustomStringConvertible {
        var description: String { "no data key" }
    }

    static let idNumber = "110101199003071234"

    static func config() throws -> HubConfig {
        try HubConfig.parse(
            yaml: "hub:\n  endpoint: tcp://*:5570\n  key_file: hub.key\n  journal: j.sqlite\n"
                + "types:\n  - demo.Note\n  - {name: ceb.Order, message: swhub.v1.Order}\n  - {name: demo.Typed, message: swhub.v1.Order}\n"
                + "parties:\n  - id: enterprise\n    public_key: \"FjO$69!cK>7:r4bTR8ub*S7&fs}}>7<>O6s5?hBR\"\n"
                + "personal_data:\n  fields: {demo.Typed: []}\n", baseDirectory: "/"
        ) { _ in "" }
    }

    /// AES-256-GCM under one key per owner; `keys` may lose an owner's key (shredding).
    final class Vault: @unchecked Sendable {
        private let lock = NSLock()
        private var keys: [String: SymmetricKey]

        /// A key for "enterprise" and one for the hub's own data, or for `owner` alone.
        init(owner: String? = nil) {
            keys = Dictionary(
                uniqueKeysWithValues: (owner.map { [$0] } ?? ["enterprise", "hub"]).map { ($0, SymmetricKey(size: .bits256)) })
        }

        func shred(_ owner: String) { lock.withLock { keys[owner] = nil } }

        var cipher: PersonalDataSeal.Cipher {
            PersonalDataSeal.Cipher(
                seal: { plaintext, owner, context in
                    guard let key = self.lock.withLock({ self.keys[owner] }) else { throw NoKey() }
                    let box = try AES.GCM.seal(plaintext, using: key, authenticating: context)
                    return Array(owner.utf8) + [0] + Array(box.combined!)
                },
                open: { sealed, context in
                    guard let zero = sealed.firstIndex(of: 0) else { throw NoKey() }
                    let owner = String(decoding: sealed[..<zero], as: UTF8.self)
                    guard let key = self.lock.withLock({ self.keys[owner] }) else { throw NoKey() }
                    let box = try AES.GCM.SealedBox(combined: Data(sealed[(zero + 1)...]))
                    return Array(try AES.GCM.open(box, using: key, authenticating: context))
                })
        }
    }

    static func entry(type: String = "ceb.Order", id: String = "o-1", body: [UInt8]) -> JournalAppend {
        JournalAppend(sender: "enterprise", id: id, type: type, recipients: ["customs"], correlationId: "", createdAtUs: 1, body: body)
    }

    static func record(_ entry: JournalAppend) -> JournalRecord {
        JournalRecord(
            seq: 1, sender: entry.sender, id: entry.id, type: entry.type, recipients: entry.recipients, correlationId: "",
            createdAtUs: 1, journaledAtUs: 2, body: entry.body.withUnsafeBytes { Array($0) })
    }

    static func order() throws -> [UInt8] {
        var order = BizOrder()
        order.orderNo = "order-1"
        order.buyerName = "张三"
        order.buyerIDNumber = idNumber
        order.consigneeAddress = "北京市东城区"
        order.ebcCode = "1105910159"
        return try order.serializedBytes()
    }

    static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        return bytes.count >= needle.count
            && (0...(bytes.count - needle.count)).contains { Array(bytes[$0..<($0 + needle.count)]) == needle }
    }

    @Test func sealedOnTheWayInOpenedToTheSameBytes() throws {
        let seal = PersonalDataSeal(config: try Self.config(), cipher: Vault().cipher)
        let original = try Self.order()
        let stored = try seal.sealed(Self.entry(body: original))
        let storedBody = stored.body.withUnsafeBytes { Array($0) }
        #expect(!Self.contains(storedBody, Self.idNumber) && !Self.contains(storedBody, "张三"))
        // What is stored is still an Order: its other fields in the clear, the personal ones empty.
        let rest = try BizOrder(serializedBytes: storedBody)
        #expect(rest.orderNo == "order-1" && rest.ebcCode == "1105910159" && rest.buyerIDNumber.isEmpty && rest.buyerName.isEmpty)
        let (opened, opening) = seal.opened(Self.record(stored))
        #expect(opening == .opened)
        #expect(opened.body == original)
    }

    @Test func aSealedPartMovedToAnotherRecordDoesNotOpen() throws {
        let seal = PersonalDataSeal(config: try Self.config(), cipher: Vault().cipher)
        let stored = try seal.sealed(Self.entry(body: try Self.order()))
        var moved = Self.record(stored)
        moved.id = "o-2"
        let (opened, opening) = seal.opened(moved)
        guard case .unreadable = opening else {
            Issue.record("opened under another id: \(opening)")
            return
        }
        let order = try BizOrder(serializedBytes: opened.body)
        #expect(order.orderNo == "order-1" && order.buyerIDNumber.isEmpty)
        #expect(!Self.contains(opened.body, Self.idNumber))
    }

    @Test func aDestroyedKeyLeavesTheRestReadable() throws {
        let vault = Vault()
        let seal = PersonalDataSeal(config: try Self.config(), cipher: vault.cipher)
        let stored = try seal.sealed(Self.entry(body: try Self.order()))
        vault.shred("enterprise")
        let (opened, opening) = seal.opened(Self.record(stored))
        #expect(opening == .unreadable("no data key"))
        let order = try BizOrder(serializedBytes: opened.body)
        #expect(order.orderNo == "order-1" && order.buyerName.isEmpty)
        // And nothing new is sealed without a key: the entry is refused, not stored in the clear.
        #expect(throws: NoKey.self) { try seal.sealed(Self.entry(id: "o-2", body: try Self.order())) }
    }

    @Test func opaqueAndUndeclaredTypesAreLeftAlone() throws {
        let seal = PersonalDataSeal(config: try Self.config(), cipher: Vault().cipher)
        let order = try Self.order()
        for type in ["demo.Note", "demo.Typed"] {
            let stored = try seal.sealed(Self.entry(type: type, body: order))
            #expect(stored.body.withUnsafeBytes { Array($0) } == order)
            #expect(seal.opened(Self.record(stored)).opening == .clear)
        }
        // An opaque body that happens to end like a sealed field is handed on as stored.
        let lookalike = PersonalFieldSplitter.attach(sealed: [1, 2, 3], to: [0x0A, 0x01, 0x41])
        let (opened, opening) = seal.opened(Self.record(Self.entry(type: "demo.Note", body: lookalike)))
        #expect(opening == .clear && opened.body == lookalike)
        // An order without personal fields (an export order) is stored as it came.
        var export = BizOrder()
        export.orderNo = "export-1"
        let exportBytes: [UInt8] = try export.serializedBytes()
        #expect(try seal.sealed(Self.entry(body: exportBytes)).body.withUnsafeBytes { Array($0) } == exportBytes)
    }
}
