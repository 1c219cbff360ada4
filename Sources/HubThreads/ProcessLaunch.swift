import Foundation
import Synchronization

/// Starts Foundation `Process`es one at a time in this process, and makes the pipes handed
/// to them under the same lock: every `Process.run()` and every `Pipe()` of the project goes
/// through here (a test, `ProcessLaunchTests`, looks for any that does not).
///
/// Why: on Linux, swift-corelibs-foundation's `Process.run()` has no
/// `POSIX_SPAWN_CLOEXEC_DEFAULT` and emulates it: it lists the descriptors 3 up to the
/// highest in `/proc/self/fd` and closes those in the child. A descriptor another thread opens
/// after that list is made and before the spawn is inherited by the child. Two such
/// descriptors matter:
/// - the socket pair another `Process.run()` makes to learn when its own child exits: the
///   exit is seen when the last holder of the child's end closes it, so a long-lived child
///   (a hub, a server, `swhub demo --linger`) holding it hides the other child's exit, and
///   that one's `waitUntilExit()` returns only when the long-lived one exits;
/// - the write end of a `Pipe`: its reader sees the end of the output only then too.
///
/// With about a thousand descriptors open, as in the integration tests, 1 to 5 of 100
/// `sleep`s started beside two threads starting processes held another child's socket
/// (`ProcessLaunchTests` without the lock). A CI run stalled for three minutes that way, it
/// seems: the waits for several hubs' and scripts' exits all returned together when a
/// `swhub demo --linger 180` started beside them exited. Under one lock no `Process.run()`
/// or `Pipe()` happens while another `Process.run()` lists and spawns.
/// Descriptors opened elsewhere without `O_CLOEXEC` (Foundation's `FileHandle` on a log
/// file) may still be inherited; they hold no one's exit or end of output.
public enum ProcessLaunch {
    private static let lock = Mutex(())

    /// Starts `process`, as `process.run()` does, while no other start or pipe is under way.
    public static func run(_ process: Process) throws {
        try lock.withLock { _ in try process.run() }
    }

    /// A new pipe for a process's standard input, output or error, made while no start is
    /// under way.
    public static func pipe() -> Pipe {
        lock.withLock { _ in Pipe() }
    }
}
