import Foundation
import HubThreads
import Testing

/// A durable write replaces the file whole, with the mode asked for, leaves no temporary
/// file, and names the step and path when it fails.
@Suite("DurableFile")
struct DurableFileTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("durable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func writesAndReplacesWholeWithItsMode() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("party.key_secret").path
        try DurableFile.write(Array("first version, longer than the second\n".utf8), to: path, mode: 0o600)
        try DurableFile.write(Array("second\n".utf8), to: path, mode: 0o600)
        #expect(FileManager.default.contents(atPath: path) == Data("second\n".utf8))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["party.key_secret"], "no temporary file is left")
        try DurableFile.syncFolder(folder.path)
        try DurableFile.syncFolder(holding: path)
    }

    @Test func aFailureNamesItsStepAndPath() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("no-such-folder/file").path
        #expect(throws: DurableFileError.self) { try DurableFile.write([1, 2, 3], to: missing) }
        do {
            try DurableFile.write([1, 2, 3], to: missing)
        } catch {
            #expect(error.step == "create" && error.path.contains("no-such-folder") && error.errorNumber == ENOENT, "\(error)")
        }
        // A folder in the way of the rename: the temporary file is removed again.
        let taken = folder.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: taken.appendingPathComponent("inside"), withIntermediateDirectories: true)
        do {
            try DurableFile.write([1], to: taken.path)
            Issue.record("a rename over a folder must fail")
        } catch {
            #expect(error.step.hasPrefix("rename"), "\(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["taken"])
        #expect(throws: DurableFileError.self) { try DurableFile.syncFolder(missing) }
    }
}
