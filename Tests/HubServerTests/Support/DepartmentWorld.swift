import Adapters
import DepartmentFormats
import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import SwiftProtobuf

/// A hub with flows on and the five departments' file adapters running as real
/// `swhub adapter <department> --config` processes, each with its exchange folders in the
/// test directory; the test plays the departments' own systems by dropping files into
/// their inboxes and reading their outboxes.
final class DepartmentWorld: @unchecked Sendable {
    static let departments = ["customs", "tax", "forex", "post", "bank"]
    /// The customs code used by the official samples for platform, seller, payer and carrier.
    static let sampleCode = "1105910159"

    let hub: TestHub
    private(set) var adapters: [String: Process] = [:]

    init() async throws {
        hub = try TestHub(
            parties: [
                .init(id: "customs", roles: ["customs"]),
                .init(id: "tax", roles: ["tax"]),
                .init(id: "forex", roles: ["forex"]),
                .init(id: "post", roles: ["post", "logistics_company"]),
                .init(id: "bank", roles: ["bank", "payment_company"], bankCodes: ["BKCHCNBJ"]),
                .init(id: "platform", roles: ["platform", "ecommerce_enterprise"]),
            ],
            // The departments' files carry no departures (离境): summaries as at release.
            types: ["demo.Note"],
            flows: ["registration_deadline_ms: 600000", "summary_schedule: none", "summary: {require_departure: false}"])
        try await hub.start()
        for department in Self.departments {
            let path = try hub.writeClientConfig(department)
            var settings = "adapter:\n  folder: \(department)\n  poll_ms: 50\n"
            switch department {
            case "bank":
                settings +=
                    "  bank: {pay_code: \"\(Self.sampleCode)\", pay_name: 中国银行, ebp_code: \"\(Self.sampleCode)\", ebc_code: \"\(Self.sampleCode)\", ie_flag: E, settlement: pacs.008, bic: BKCHCNBJ, name: 中国银行北京分行}\n"
            case "post":
                settings +=
                    "  post: {encoding: csv, logistics_code: \"\(Self.sampleCode)\", logistics_name: 中国邮政, ie_flag: E, ebc_code: \"\(Self.sampleCode)\"}\n"
            case "customs":
                settings += "  customs: {cop_code: \"\(Self.sampleCode)\", cop_name: 测试口岸, dxp_id: DXPENT0000000001}\n"
            default:
                break
            }
            try (try String(contentsOfFile: path, encoding: .utf8) + settings).write(toFile: path, atomically: true, encoding: .utf8)
            adapters[department] = try hub.startSwhub(
                ["adapter", department, "--config", path, "--log-level", "info"], logName: "adapter-\(department).log")
        }
    }

    func stop() {
        for process in adapters.values where process.isRunning { process.terminate() }
    }

    func folders(_ department: String) -> ExchangeFolders {
        ExchangeFolders(root: hub.directory.appendingPathComponent(department))
    }

    /// Drops a file into a department's inbox the way its system would: atomically.
    func drop(_ department: String, _ name: String, _ content: [UInt8]) throws {
        let inbox = folders(department).inbox
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        try ExchangeFolders.writeAtomically(content, to: inbox, name: name)
    }

    func drop(_ department: String, _ name: String, _ text: String) throws {
        try drop(department, name, Array(text.utf8))
    }

    /// File names in a department's folder (`in`, `out`, `archive`, `errors`).
    func names(_ department: String, _ folder: KeyPath<ExchangeFolders, URL>) -> [String] {
        let url = folders(department)[keyPath: folder]
        return ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    func read(_ department: String, _ folder: KeyPath<ExchangeFolders, URL>, _ name: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: folders(department)[keyPath: folder].appendingPathComponent(name).path) ?? Data())
    }

    /// Waits for an outbox file whose name satisfies `matching`; returns its name.
    @discardableResult
    func waitOutbox(
        _ department: String, within limit: Duration = .seconds(20), _ what: String, matching: @escaping @Sendable (String) -> Bool
    ) async throws -> String {
        try await waitUntil(
            limit,
            "\(department) outbox has no \(what): \(names(department, \.outbox)); log: \(hub.log(named: "adapter-\(department).log").suffix(1500)); \(diagnosis())"
        ) {
            self.names(department, \.outbox).contains(where: matching)
        }
        return names(department, \.outbox).first(where: matching)!
    }

    /// Every department's folders and error reasons, and the journal's message types.
    func diagnosis() -> String {
        var text = ""
        for department in Self.departments {
            text +=
                "\n\(department): in \(names(department, \.inbox)) archive \(names(department, \.archive)) errors \(names(department, \.errors))"
            for name in names(department, \.errors) where name.hasSuffix(".txt") {
                text += "\n  \(name): " + String(decoding: read(department, \.errors, name), as: UTF8.self)
            }
        }
        if let journal = try? hub.openJournal(),
            let records = try? journal.records(
                types: ["flow.Feedback", "ceb.Payment", "ceb.Waybill", "ceb.Order", "ceb.Inventory"], after: 0, limit: 1000)
        {
            text += "\njournal: " + records.map { "\($0.sender)/\($0.type)/\($0.id)" }.joined(separator: ", ")
            for record in records where record.type == "flow.Feedback" {
                if let feedback = try? BizFeedback(serializedBytes: record.body) {
                    text += "\n  feedback \(feedback.subjectID): \(feedback.state) \(feedback.reasons)"
                }
            }
        }
        return text
    }

    /// A department's system answers every registration shared with it (hub JSON in its
    /// outbox) with a reg.Result file in its inbox, once each.
    func answerRegistrations(_ department: String, answered: inout Set<String>) throws {
        for name in names(department, \.outbox) where name.hasPrefix("reg.Registration_") && !answered.contains(name) {
            guard let object = try JSONSerialization.jsonObject(with: Data(read(department, \.outbox, name))) as? [String: Any],
                let id = object["id"] as? String, let body = object["body"] as? [String: Any]
            else { continue }
            let result: [String: Any] = [
                "type": "reg.Result", "correlation_id": id,
                "body": [
                    "cop_no": body["cop_no"] ?? "", "social_credit_code": body["social_credit_code"] ?? "",
                    "department": department, "decision": "DECISION_ACCEPTED", "code": "\(department.uppercased())-0001",
                ],
            ]
            try drop(department, "result-\(name)", Array(try JSONSerialization.data(withJSONObject: result)))
            answered.insert(name)
        }
    }

    /// Writes a hub message as CEB XML.
    static func ceb(_ type: String, _ message: some SwiftProtobuf.Message, guid: String) throws -> [UInt8] {
        try CEBWriter(identity: CEBIdentity(copCode: sampleCode, copName: "测试企业", dxpId: "DXPENT0000000001"))
            .write(type: type, body: try message.serializedBytes(), guid: guid)
    }
}
