import DepartmentFormats
import Foundation
import HubConfigKit

/// The `adapter:` section of a department's client config file (`swhub adapter
/// <department> --config FILE`): its exchange folders and what its formats need.
///
/// ```yaml
/// adapter:
///   folder: /var/lib/swhub/customs   # in/ out/ archive/ errors/ state/ under it (each overridable)
///   poll_ms: 500
///   customs: {cop_code: "1105910159", cop_name: "电子口岸", dxp_id: "DXPEDCCEB0000002", dxp_envelope: false}
///   bank: {pay_code: "312226T001", pay_name: "中国银行", ie_flag: E, settlement: pacs.008, bic: BKCHCNBJ}
///   post: {encoding: csv, logistics_code: "3301980002", logistics_name: "中国邮政"}
/// ```
public struct AdapterSettings: Sendable, Equatable {
    public struct Customs: Sendable, Equatable, Decodable {
        public var copCode = "0000000000"
        public var copName = "SingleWindowHub"
        public var dxpId = "DXPENT0000000000"
        /// The DXP id of the customs exchange, written as the envelope's receiver.
        public var dxpReceiver = "DXPEDCCEB0000002"
        public var dxpEnvelope = false

        enum CodingKeys: String, CodingKey {
            case copCode = "cop_code", copName = "cop_name", dxpId = "dxp_id", dxpEnvelope = "dxp_envelope"
            case dxpReceiver = "dxp_receiver"
        }

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            copCode = try c.decodeIfPresent(String.self, forKey: .copCode) ?? copCode
            copName = try c.decodeIfPresent(String.self, forKey: .copName) ?? copName
            dxpId = try c.decodeIfPresent(String.self, forKey: .dxpId) ?? dxpId
            dxpEnvelope = try c.decodeIfPresent(Bool.self, forKey: .dxpEnvelope) ?? dxpEnvelope
            dxpReceiver = try c.decodeIfPresent(String.self, forKey: .dxpReceiver) ?? dxpReceiver
        }
    }

    public struct Bank: Sendable, Equatable, Decodable {
        /// The bank's payCode and payName as the standard writes them on payments.
        public var payCode = ""
        public var payName = ""
        /// The platform (ebpCode) its import payments are for, and the enterprise (ebcCode)
        /// its export proceeds are for, when the statement does not say.
        public var ebpCode = ""
        public var ebcCode = ""
        /// "I": credit entries are import payments (CEB411); "E": export proceeds (CEB403).
        public var ieFlag = "E"
        /// Regular expression with one capture group finding the order number in the
        /// remittance information; empty: the reader's default.
        public var orderPattern = ""
        /// "pacs.008" or "pain.001".
        public var settlement = "pacs.008"
        /// The bank's own BIC and name, as the instructing agent / debtor of settlements.
        public var bic = ""
        public var name = ""
        /// With `settlement: pacs.008`: write it as a SWIFT CBPR+ business message (head.001.001.02
        /// header and the document in an envelope) instead of a bare Document.
        public var cbprPlus = false
        /// The CBPR+ header's BizSvc.
        public var cbprBusinessService = SettlementWriter.defaultCBPRBusinessService

        enum CodingKeys: String, CodingKey {
            case payCode = "pay_code", payName = "pay_name", ebpCode = "ebp_code", ebcCode = "ebc_code", ieFlag = "ie_flag"
            case orderPattern = "order_pattern", settlement, bic, name
            case cbprPlus = "cbpr_plus", cbprBusinessService = "cbpr_business_service"
        }

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            payCode = try c.decodeIfPresent(String.self, forKey: .payCode) ?? payCode
            payName = try c.decodeIfPresent(String.self, forKey: .payName) ?? payName
            ebpCode = try c.decodeIfPresent(String.self, forKey: .ebpCode) ?? ebpCode
            ebcCode = try c.decodeIfPresent(String.self, forKey: .ebcCode) ?? ebcCode
            ieFlag = try c.decodeIfPresent(String.self, forKey: .ieFlag) ?? ieFlag
            orderPattern = try c.decodeIfPresent(String.self, forKey: .orderPattern) ?? orderPattern
            settlement = try c.decodeIfPresent(String.self, forKey: .settlement) ?? settlement
            bic = try c.decodeIfPresent(String.self, forKey: .bic) ?? bic
            name = try c.decodeIfPresent(String.self, forKey: .name) ?? name
            cbprPlus = try c.decodeIfPresent(Bool.self, forKey: .cbprPlus) ?? cbprPlus
            cbprBusinessService = try c.decodeIfPresent(String.self, forKey: .cbprBusinessService) ?? cbprBusinessService
        }
    }

    public struct Post: Sendable, Equatable, Decodable {
        /// "jsonl" or "csv", for files written; both are read (by extension).
        public var encoding = "csv"
        public var logisticsCode = ""
        public var logisticsName = ""
        /// "E": the consignments read are export waybills (CEB505); "I": import (CEB511).
        public var ieFlag = "E"
        /// The shipper (ebcCode) of export consignments, when the data does not say.
        public var ebcCode = ""

        enum CodingKeys: String, CodingKey {
            case encoding, logisticsCode = "logistics_code", logisticsName = "logistics_name", ieFlag = "ie_flag"
            case ebcCode = "ebc_code"
        }

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            encoding = try c.decodeIfPresent(String.self, forKey: .encoding) ?? encoding
            logisticsCode = try c.decodeIfPresent(String.self, forKey: .logisticsCode) ?? logisticsCode
            logisticsName = try c.decodeIfPresent(String.self, forKey: .logisticsName) ?? logisticsName
            ieFlag = try c.decodeIfPresent(String.self, forKey: .ieFlag) ?? ieFlag
            ebcCode = try c.decodeIfPresent(String.self, forKey: .ebcCode) ?? ebcCode
        }
    }

    public var folders: ExchangeFolders
    public var pollMs = 500
    public var customs = Customs()
    public var bank = Bank()
    public var post = Post()

    public init(folders: ExchangeFolders) {
        self.folders = folders
    }

    /// Reads the `adapter:` section of `path`; relative folders are resolved against the
    /// file's directory.
    public static func load(path: String) throws -> AdapterSettings {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AdapterSettingsError("cannot read \(path)")
        }
        let file: File
        do {
            // Strict within `adapter:`; the client configuration's reader checks the rest of the file.
            file = try StrictYAMLDecoder().decode(File.self, from: text, file: path, otherSections: .any)
        } catch let error as ConfigError {
            throw AdapterSettingsError(error.reason)
        }
        guard let raw = file.adapter else { throw AdapterSettingsError("\(path) has no `adapter:` section (folders and formats)") }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        var settings = AdapterSettings(folders: try raw.folders(base: base, path: path))
        settings.pollMs = raw.pollMs ?? settings.pollMs
        guard (10...600_000).contains(settings.pollMs) else { throw AdapterSettingsError("\(path): adapter.poll_ms must be 10...600000") }
        settings.customs = raw.customs ?? settings.customs
        settings.bank = raw.bank ?? settings.bank
        settings.post = raw.post ?? settings.post
        guard ["I", "E"].contains(settings.bank.ieFlag) else { throw AdapterSettingsError("\(path): adapter.bank.ie_flag must be I or E") }
        guard ["pacs.008", "pain.001"].contains(settings.bank.settlement) else {
            throw AdapterSettingsError("\(path): adapter.bank.settlement must be pacs.008 or pain.001")
        }
        if settings.bank.cbprPlus {
            guard settings.bank.settlement == "pacs.008" else {
                throw AdapterSettingsError("\(path): adapter.bank.cbpr_plus needs settlement: pacs.008 (CBPR+ carries no pain.001)")
            }
            guard !settings.bank.bic.isEmpty else {
                throw AdapterSettingsError("\(path): adapter.bank.cbpr_plus needs the bank's bic (the header's sender)")
            }
            guard (1...35).contains(settings.bank.cbprBusinessService.count) else {
                throw AdapterSettingsError("\(path): adapter.bank.cbpr_business_service must be 1 to 35 characters")
            }
        }
        guard ["I", "E"].contains(settings.post.ieFlag) else { throw AdapterSettingsError("\(path): adapter.post.ie_flag must be I or E") }
        guard ["csv", "jsonl"].contains(settings.post.encoding) else {
            throw AdapterSettingsError("\(path): adapter.post.encoding must be csv or jsonl")
        }
        if !settings.bank.orderPattern.isEmpty {
            do {
                let pattern = try Regex(settings.bank.orderPattern)
                _ = try pattern.firstMatch(in: "")
            } catch {
                throw AdapterSettingsError(
                    "\(path): adapter.bank.order_pattern '\(settings.bank.orderPattern)' is not a regular expression (\(error))")
            }
        }
        for (name, folder) in settings.folders.named {
            if let problem = Self.creatable(folder) {
                throw AdapterSettingsError("\(path): adapter \(name) folder \(folder.path): \(problem)")
            }
        }
        return settings
    }

    /// Why `folder` cannot be used (exists as a file, or cannot be made or written by this
    /// user), or nil.
    static func creatable(_ folder: URL) -> String? {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { return "exists and is not a folder" }
            return files.isWritableFile(atPath: folder.path) ? nil : "not writable by this user"
        }
        var ancestor = folder.deletingLastPathComponent()
        while !files.fileExists(atPath: ancestor.path, isDirectory: &isDirectory), ancestor.path != "/" {
            ancestor.deleteLastPathComponent()
        }
        guard isDirectory.boolValue else { return "cannot be made: \(ancestor.path) is not a folder" }
        return files.isWritableFile(atPath: ancestor.path) ? nil : "cannot be made: \(ancestor.path) is not writable by this user"
    }

    struct File: Decodable {
        var adapter: Raw?
    }

    struct Raw: Decodable {
        var folder, inbox, outbox, archive, errors, state: String?
        var pollMs: Int?
        var customs: Customs?
        var bank: Bank?
        var post: Post?

        enum CodingKeys: String, CodingKey {
            case folder, inbox, outbox, archive, errors, state, customs, bank, post
            case pollMs = "poll_ms"
        }

        /// The five folders, relative ones resolved against `base`; `path` names the file in errors.
        func folders(base: URL, path: String) throws -> ExchangeFolders {
            let resolve = { (value: String) in
                value.hasPrefix("/") ? URL(fileURLWithPath: value) : base.appendingPathComponent(value).standardizedFileURL
            }
            guard let root = folder.map(resolve) ?? inbox.map({ resolve($0).deletingLastPathComponent() }) else {
                throw AdapterSettingsError("\(path): adapter needs `folder` (or `inbox`, `outbox`, `archive`, `errors`)")
            }
            var folders = ExchangeFolders(root: root)
            if let inbox { folders.inbox = resolve(inbox) }
            if let outbox { folders.outbox = resolve(outbox) }
            if let archive { folders.archive = resolve(archive) }
            if let errors { folders.errors = resolve(errors) }
            if let state { folders.state = resolve(state) }
            return folders
        }
    }
}

/// A department adapter's configuration is unusable; the message says why.
public struct AdapterSettingsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
