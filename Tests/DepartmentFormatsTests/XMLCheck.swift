import Foundation
import HubThreads

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Checks of written XML in tests: well-formedness by xmllint, values by XPath.
enum XMLCheck {
    /// Runs `xmllint --noout` on the bytes; returns its exit status and what it printed.
    static func xmllint(_ bytes: [UInt8]) throws -> (Int32, String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-\(UUID().uuidString).xml")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["xmllint", "--noout", file.path]
        let errors = ProcessLaunch.pipe()
        process.standardError = errors
        try ProcessLaunch.run(process)
        process.waitUntilExit()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, output)
    }

    /// The texts of the elements at a path of local names, e.g.
    /// "/Document/FIToFICstmrCdtTrf/GrpHdr/MsgId" (namespaces ignored).
    static func values(_ bytes: [UInt8], _ path: String) throws -> [String] {
        let document = try XMLDocument(data: Data(bytes))
        let xpath = path.split(separator: "/").map { "*[local-name()='\($0)']" }.joined(separator: "/")
        return try document.nodes(forXPath: "/" + xpath).map { $0.stringValue ?? "" }
    }

    /// An attribute of the first element at `path`.
    static func attribute(_ bytes: [UInt8], _ path: String, _ name: String) throws -> String? {
        let document = try XMLDocument(data: Data(bytes))
        let xpath = path.split(separator: "/").map { "*[local-name()='\($0)']" }.joined(separator: "/")
        return try document.nodes(forXPath: "/" + xpath + "/@" + name).first?.stringValue
    }

    /// The namespace URI of the document element.
    static func rootNamespace(_ bytes: [UInt8]) throws -> String? {
        try XMLDocument(data: Data(bytes)).rootElement()?.uri
    }
}
