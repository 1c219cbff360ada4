import Foundation
import HubProtocol
import Testing

@Suite("HubErrorCode")
struct HubErrorCodeTests {
    @Test func codesAreUnique() {
        let raw = HubErrorCode.all.map(\.rawValue)
        #expect(Set(raw).count == raw.count)
    }

    @Test func namesAreUnique() {
        let names = HubErrorCode.all.map(\.name)
        #expect(Set(names).count == names.count)
    }

    @Test func allIsSortedByCode() {
        let raw = HubErrorCode.all.map(\.rawValue)
        #expect(raw == raw.sorted())
        #expect(zip(raw, raw.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func namesAreUpperSnakeCase() {
        for code in HubErrorCode.all {
            #expect(!code.name.isEmpty)
            #expect(code.name.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }, "\(code)")
        }
    }

    /// The documented numbers and names, which never change meaning.
    @Test func documentedValues() {
        let expected: [(HubErrorCode, UInt32, String)] = [
            (.hubBusy, 301, "HUB_BUSY"), (.shuttingDown, 302, "SHUTTING_DOWN"), (.journalUnavailable, 303, "JOURNAL_UNAVAILABLE"),
            (.malformedFrame, 400, "MALFORMED_FRAME"), (.wrongFrameCount, 401, "WRONG_FRAME_COUNT"),
            (.unsupportedVersion, 402, "UNSUPPORTED_VERSION"), (.senderMismatch, 403, "SENDER_MISMATCH"),
            (.unknownType, 404, "UNKNOWN_TYPE"), (.missingId, 405, "MISSING_ID"),
            (.bodyTooLarge, 406, "BODY_TOO_LARGE"), (.unknownRecipient, 407, "UNKNOWN_RECIPIENT"),
            (.unexpectedCommand, 408, "UNEXPECTED_COMMAND"), (.noSession, 409, "NO_SESSION"),
            (.badAck, 410, "BAD_ACK"), (.notAuthenticated, 411, "NOT_AUTHENTICATED"),
            (.malformedBody, 412, "MALFORMED_BODY"), (.notRegistered, 413, "NOT_REGISTERED"),
            (.blacklisted, 414, "BLACKLISTED"), (.notEntitled, 415, "NOT_ENTITLED"),
            (.badReplay, 416, "BAD_REPLAY"), (.headerTooLarge, 417, "HEADER_TOO_LARGE"), (.routingIdSet, 418, "ROUTING_ID_SET"),
            (.badBatch, 419, "BAD_BATCH"),
            (.keyRevoked, 430, "KEY_REVOKED"),
            (.internalError, 500, "INTERNAL"), (.journalFailure, 501, "JOURNAL_FAILURE"),
            (.journalDamaged, 502, "JOURNAL_DAMAGED"), (.readOnly, 503, "READ_ONLY"), (.queryTimeout, 504, "QUERY_TIMEOUT"),
        ]
        for (code, raw, name) in expected {
            #expect(code.rawValue == raw)
            #expect(code.name == name)
            #expect(code.description == "\(raw) \(name)")
        }
        #expect(HubErrorCode.all == expected.map(\.0))
    }

    @Test func classes() {
        let retry: Set<HubErrorCode> = [.hubBusy, .shuttingDown, .journalUnavailable]
        let hub: Set<HubErrorCode> = [.internalError, .journalFailure, .journalDamaged, .readOnly, .queryTimeout]
        for code in HubErrorCode.all {
            #expect(code.codeClass == code.rawValue / 100)
            if retry.contains(code) {
                #expect(code.codeClass == 3, "\(code)")
            } else if hub.contains(code) {
                #expect(code.codeClass == 5, "\(code)")
            } else {
                #expect(code.codeClass == 4, "\(code)")
            }
            #expect((3...5).contains(code.codeClass), "no 2xx or other class is an error: \(code)")
        }
    }

    @Test func errorClassesAreWhatAClientDoes() {
        #expect(HubErrorCode.hubBusy.errorClass == .retryLater)
        #expect(HubErrorCode.shuttingDown.errorClass == .retryLater)
        #expect(HubErrorCode.unknownType.errorClass == .refused)
        #expect(HubErrorCode.badReplay.errorClass == .refused)
        #expect(HubErrorCode.journalFailure.errorClass == .hubFailure)
        let byNumber: [UInt32: HubErrorCode.Class] = [3: .retryLater, 4: .refused, 5: .hubFailure]
        for code in HubErrorCode.all {
            #expect(code.errorClass == byNumber[code.codeClass], "\(code)")
        }
    }

    /// A code a newer hub may send: kept with its name, classed by its number, so a client
    /// never has to read the reason text.
    @Test(
        arguments: [
            (309, HubErrorCode.Class.retryLater), (469, .refused), (499, .refused), (507, .hubFailure), (600, .hubFailure),
            (0, .hubFailure),
        ] as [(UInt32, HubErrorCode.Class)])
    func unknownWireCodesKeepTheirClass(raw: UInt32, errorClass: HubErrorCode.Class) {
        let code = HubErrorCode(wire: raw, name: "NEWER_CODE")
        #expect(code.rawValue == raw && code.name == "NEWER_CODE")
        #expect(code.errorClass == errorClass)
        #expect(HubErrorCode(wire: 404, name: "WHATEVER") == .unknownType, "a known number is the known code")
    }

    @Test(arguments: HubErrorCode.all)
    func rawValueRoundTrip(_ code: HubErrorCode) throws {
        let back = try #require(HubErrorCode(rawValue: code.rawValue))
        #expect(back == code)
        #expect(back.name == code.name)
    }

    @Test(arguments: [0, 1, 200, 300, 304, 399, 499, 505, 600, UInt32.max] as [UInt32])
    func unknownRawValueIsNil(_ raw: UInt32) {
        #expect(HubErrorCode(rawValue: raw) == nil)
    }

    @Test func equalityIsByValue() {
        #expect(HubErrorCode(rawValue: 404) == .unknownType)
        #expect(HubErrorCode.unknownType != .missingId)
        #expect(Set(HubErrorCode.all + HubErrorCode.all).count == HubErrorCode.all.count)
    }

    // MARK: - Schemas/PROTOCOL.md

    private static func protocolDocument() throws -> String {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Schemas/PROTOCOL.md"), encoding: .utf8)
    }

    /// The rows of the code table in PROTOCOL.md §8: `| 301 | `HUB_BUSY` | retry | ...`.
    private static func documentedRows() throws -> [(code: UInt32, name: String, cls: String)] {
        try protocolDocument().split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3, cells[0].count == 3, let code = UInt32(cells[0]),
                cells[1].hasPrefix("`"), cells[1].hasSuffix("`")
            else { return nil }
            return (code, String(cells[1].dropFirst().dropLast()), cells[2])
        }
    }

    @Test(arguments: HubErrorCode.all)
    func everyCodeIsInProtocolDocument(_ code: HubErrorCode) throws {
        let text = try Self.protocolDocument()
        #expect(text.contains("\(code.rawValue)"))
        #expect(text.contains(code.name))
        #expect(text.contains("| \(code.rawValue) | `\(code.name)` |"), "table row for \(code)")
    }

    @Test func protocolTableMatchesCodesExactly() throws {
        let rows = try Self.documentedRows()
        #expect(rows.map(\.code) == HubErrorCode.all.map(\.rawValue))
        #expect(rows.map(\.name) == HubErrorCode.all.map(\.name))
        let className = [3: "retry", 4: "client", 5: "hub"]
        for row in rows {
            let code = try #require(HubErrorCode(rawValue: row.code), "documented code \(row.code) exists")
            #expect(row.cls == className[Int(code.codeClass)], "class column of \(row.code)")
            let documented: [String: HubErrorCode.Class] = ["retry": .retryLater, "client": .refused, "hub": .hubFailure]
            #expect(documented[row.cls] == code.errorClass, "errorClass of \(row.code)")
        }
    }
}
