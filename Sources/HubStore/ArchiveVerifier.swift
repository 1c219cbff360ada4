import Foundation

/// The archive checks of `swhub verify` and `swhub archive verify`: the manifest's ranges
/// are contiguous from seq 1 and each segment's link before is the previous one's link
/// after (across segments deleted past retention too); every kept segment's file is read
/// and checked whole (``JournalArchive/segment(_:)``).
public struct ArchiveVerifier: Sendable {
    let entries: [ArchiveManifest.Entry]
    let archive: JournalArchive

    /// - Parameters:
    ///   - entries: The manifest.
    ///   - archive: Where the segment files are read.
    public init(entries: [ArchiveManifest.Entry], archive: JournalArchive) {
        self.entries = entries
        self.archive = archive
    }

    /// The problems found and what the archive holds; `readFiles` false checks the manifest only.
    public func verify(readFiles: Bool = true) -> (problems: [VerifyReport.Problem], summary: VerifyReport.ArchiveSummary) {
        var problems: [VerifyReport.Problem] = []
        var summary = VerifyReport.ArchiveSummary(keptSegments: 0, keptRecords: 0, deletedSegments: 0, deletedRecords: 0, archivedUpTo: 0)
        var expectedFirst: UInt64 = 1
        var link = JournalChain.genesis
        for entry in entries {
            let path = archive.path(of: entry)
            if entry.firstSeq != expectedFirst {
                problems.append(
                    VerifyReport.Problem(
                        .archive, seq: min(expectedFirst, entry.firstSeq),
                        "archive manifest: segment \(path) starts at seq \(entry.firstSeq), the previous one ended at \(expectedFirst - 1)")
                )
            }
            if entry.linkBefore != link {
                problems.append(
                    VerifyReport.Problem(
                        .archive, seq: entry.firstSeq,
                        "archive manifest: segment \(path) does not chain from the previous segment's last link"))
            }
            if entry.isKept {
                summary.keptSegments += 1
                summary.keptRecords += entry.records
                if readFiles {
                    do {
                        _ = try archive.segment(entry)
                    } catch let error as StoreError {
                        problems.append(VerifyReport.Problem(.archive, seq: error.seq ?? entry.firstSeq, subject: path, error.reason))
                    } catch {
                        problems.append(
                            VerifyReport.Problem(.archive, seq: entry.firstSeq, subject: path, "archive segment \(path): \(error)"))
                    }
                }
            } else {
                summary.deletedSegments += 1
                summary.deletedRecords += entry.records
            }
            expectedFirst = entry.lastSeq + 1
            link = entry.linkAfter
            summary.archivedUpTo = entry.lastSeq
        }
        return (problems, summary)
    }
}
