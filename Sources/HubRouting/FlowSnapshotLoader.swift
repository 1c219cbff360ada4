import HubCore
import HubStore
import Logging

/// Finds the newest saved flows' state a hub can start from (``FlowSnapshotStore``): one
/// that decodes (its checksum holds, its version is this build's) and is not beyond the
/// journal's head. A damaged or unusable one is skipped with a warning and the next older
/// one tried; with none, the hub reads the whole journal.
public enum FlowSnapshotLoader {
    /// The newest usable snapshot in `store`, nil if there is none.
    ///
    /// - Parameters:
    ///   - store: Where the snapshots are saved.
    ///   - headSeq: The journal's head: a snapshot beyond it belongs to another journal
    ///     (restored from an older backup, say) and is skipped.
    ///   - logger: Told of each snapshot skipped, and why.
    /// - Returns: The snapshot, or nil.
    public static func newestUsable(in store: any FlowSnapshotStore, headSeq: UInt64, logger: Logger) -> FlowSnapshot? {
        let seqs: [UInt64]
        do {
            seqs = try store.flowSnapshotSeqs()
        } catch {
            logger.warning("cannot list the flows' snapshots; reading the whole journal instead", metadata: ["error": "\(error)"])
            return nil
        }
        for seq in seqs {
            guard seq <= headSeq else {
                logger.warning(
                    "the flows' snapshot is beyond the journal's head; skipped",
                    metadata: ["snapshot_seq": "\(seq)", "head": "\(headSeq)"])
                continue
            }
            do {
                guard let bytes = try store.flowSnapshot(seq: seq) else { continue }
                let snapshot = try FlowSnapshot(decoding: bytes)
                guard snapshot.seq == seq else {
                    throw FlowSnapshotError(.damaged, "saved under seq \(seq), the snapshot says seq \(snapshot.seq)")
                }
                return snapshot
            } catch {
                logger.warning(
                    "cannot use a saved flows' snapshot; trying an older one, else the whole journal",
                    metadata: ["snapshot_seq": "\(seq)", "error": "\(error)"])
            }
        }
        return nil
    }
}
