import CProcessControl
import Foundation

/// Keeps `swhub serve`'s memory out of core files: the master key, unwrapped data keys and
/// personal field values pass through it. RLIMIT_CORE goes to 0 (soft and hard, so nothing
/// the process starts can raise it) and the process is made non-dumpable (PR_SET_DUMPABLE 0:
/// no core even where a core pattern pipes to a helper, no ptrace attach by other processes
/// of the same user). `swhub serve --allow-core-dumps` leaves both as inherited, for
/// debugging a crash on a machine without personal data.
enum CoreDumps {
    /// Disables core dumps for this process.
    /// - Throws: ``CommandFailure`` (`hubFailure`) when the kernel refuses.
    static func disable() throws {
        let status = swhub_disable_core_dumps()
        guard status == 0 else {
            let call = status > 0 ? "setrlimit(RLIMIT_CORE, 0)" : "prctl(PR_SET_DUMPABLE, 0)"
            throw CommandFailure(
                .hubFailure,
                "cannot disable core dumps: \(call) failed: \(String(cString: strerror(abs(status)))) (--allow-core-dumps starts anyway)")
        }
    }
}
