import DepartmentFormats
import Foundation
import HubThreads
import Testing

/// The customs standard's files (XSDs, official samples) in `Specs/customs-ceb/` of the
/// repository, or in `$SWHUB_CEB_SPECS` when set; and xmllint to validate against them.
enum CEBSpecs {
    /// The roots ceb-import-2022.xsd defines among those the hub handles; the others are in
    /// ceb-export-2022.xsd.
    static let importRoots: Set<String> = [
        "CEB311Message", "CEB312Message", "CEB411Message", "CEB412Message",
        "CEB511Message", "CEB512Message", "CEB621Message", "CEB622Message",
        "CEB513Message", "CEB514Message", "CEB623Message", "CEB624Message", "CEB625Message", "CEB626Message",
        "CEB711Message", "CEB712Message", "CEB816Message", "CEB818Message", "CEB900Message",
    ]

    /// The official samples, by file name.
    static let sampleNames = [
        "CEB303Message.xml", "CEB304Message.xml", "CEB403Message.xml", "CEB404Message.xml", "CEB505Message.xml",
        "CEB506Message.xml", "CEB603Message.xml", "CEB604Message.xml", "CEB701Message.xml", "CEB702Message.xml",
        "CEB792Message.xml",
    ]

    /// `Specs/customs-ceb` in the repository (or `$SWHUB_CEB_SPECS` when set).
    static func directory() throws -> URL {
        if let override = ProcessInfo.processInfo.environment["SWHUB_CEB_SPECS"] {
            return URL(fileURLWithPath: override)
        }
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let specs = repository.appendingPathComponent("Specs/customs-ceb")
        try #require(
            FileManager.default.fileExists(atPath: specs.appendingPathComponent("xsd").path), "no customs standard at \(specs.path)")
        return specs
    }

    /// An official sample's bytes.
    static func sample(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory().appendingPathComponent("samples-2018-export/\(name)")))
    }

    /// The XSD defining `root`: ceb-import-2022.xsd, ceb-export-2022.xsd or, for DxpMsg, dxp-terminal-2022.xsd.
    static func xsd(for root: String) throws -> URL {
        let name =
            root == "DxpMsg" ? "dxp-terminal-2022.xsd" : importRoots.contains(root) ? "ceb-import-2022.xsd" : "ceb-export-2022.xsd"
        return try directory().appendingPathComponent("xsd/\(name)")
    }

    /// What `xmllint --noout --schema <xsd> <file>` says about `xml`.
    /// - Returns: whether it validated, and xmllint's output.
    static func validate(_ xml: [UInt8], root: String) throws -> (valid: Bool, output: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ceb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("\(root).xml")
        let log = folder.appendingPathComponent("xmllint.log")
        try Data(xml).write(to: file)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        process.arguments = ["--noout", "--schema", try xsd(for: root).path, file.path]
        process.standardOutput = output
        process.standardError = output
        try ProcessLaunch.run(process)
        process.waitUntilExit()
        try output.close()
        let said = String(decoding: try Data(contentsOf: log), as: UTF8.self)
        return (process.terminationStatus == 0, said)
    }

    /// Fails the test unless `xml` validates against the XSD of `root`, showing xmllint's output.
    static func expectValid(_ xml: [UInt8], root: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try validate(xml, root: root)
        #expect(
            result.valid, "\(root) does not validate:\n\(result.output)\n\(String(decoding: xml, as: UTF8.self))",
            sourceLocation: sourceLocation)
    }
}
