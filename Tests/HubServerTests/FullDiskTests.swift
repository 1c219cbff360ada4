import Foundation
import HubProtocol
import HubTestSupport
import HubThreads
import Testing
import ZeroMQ

/// A real `swhub serve` whose journal is on a small tmpfs, mounted in a private mount
/// namespace (`unshare -m`, the hub started in it with `nsenter`), filled up while the hub
/// runs: submissions are answered `501 JOURNAL_FAILURE`, the hub neither spins (CPU) nor
/// floods its log, SIGTERM stops it within its drain timeout saying how many
/// acknowledgements it could not save, and with space freed a restart serves every
/// accepted message. Needs root (as in CI); skipped with a printed reason otherwise.
@Suite("A full disk, on a real hub", .serialized, .timeLimit(.minutes(5)))
struct FullDiskTests {
    /// A private mount namespace holding a small tmpfs at `path`, kept alive by a `sleep`.
    final class SmallDisk: @unchecked Sendable {
        let holder: Process
        let path: String

        /// Nil (with the reason) when no namespace or mount can be made here.
        static func make(path: String, size: String) throws -> (SmallDisk?, String) {
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
            holder.arguments = [
                "-m", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs -o size=\(size) tmpfs '\(path)' && echo ready && exec sleep 3600",
            ]
            let pipe = ProcessLaunch.pipe()
            holder.standardOutput = pipe
            holder.standardError = pipe
            try ProcessLaunch.run(holder)
            let line = String(decoding: pipe.fileHandleForReading.availableDataUntilNewline(), as: UTF8.self)
            guard line.hasPrefix("ready") else {
                if holder.isRunning { holder.terminate() }
                holder.waitUntilExit()
                return (nil, line)
            }
            return (SmallDisk(holder: holder, path: path), "")
        }

        private init(holder: Process, path: String) {
            self.holder = holder
            self.path = path
        }

        /// `name` inside the mounted file system, as seen from outside the namespace.
        func file(_ name: String) -> String { "/proc/\(holder.processIdentifier)/root\(path)/\(name)" }

        /// Starts `swhub serve --config config` inside the namespace (nsenter execs it: the
        /// process is the hub), its output appended to `log`.
        func serve(config: String, log: URL) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
            process.arguments = [
                "-t", "\(holder.processIdentifier)", "-m", "--", try TestHub.executable.path, "serve", "--config", config, "--log-level",
                "info",
            ]
            if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
            let handle = try FileHandle(forWritingTo: log)
            handle.seekToEndOfFile()
            process.standardOutput = handle
            process.standardError = handle
            try ProcessLaunch.run(process)
            return process
        }

        /// Writes `filler` until the file system is full; returns the bytes written.
        func fill() throws -> Int {
            let fd = open(file("filler"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            guard fd >= 0 else { throw TestHubError("cannot create the filler: errno \(errno)") }
            defer { close(fd) }
            let chunk = [UInt8](repeating: 0xEE, count: 4096)
            var total = 0
            while true {
                let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                guard written > 0 else { break }
                total += written
            }
            return total
        }

        func end() {
            if holder.isRunning { holder.terminate() }
            holder.waitUntilExit()
        }
    }

    static func waitForLog(_ log: URL, _ text: String, after count: Int, process: Process) async throws {
        try await waitUntil(.seconds(60), "the hub logs '\(text)'") {
            guard process.isRunning else { throw TestHubError("the hub exited: \(Self.read(log).suffix(2000))") }
            return StorageFaults.lines(Self.read(log), containing: text) > count
        }
    }

    static func read(_ log: URL) -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    @Test func fullDiskAnswers501WithoutSpinningAndStopsWithinTheDrainTimeout() async throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"),
            FileManager.default.isExecutableFile(atPath: "/usr/bin/nsenter")
        else {
            print("FullDiskTests: skipped: needs root, unshare and nsenter (util-linux) to mount a small tmpfs in a private namespace")
            return
        }
        let hub = try TestHub(parties: [.init(id: "a"), .init(id: "b", subscribes: ["demo.Note"])], heartbeatMs: 20_000)
        let diskPath = hub.directory.appendingPathComponent("disk").path
        try FileManager.default.createDirectory(atPath: diskPath, withIntermediateDirectories: true)
        let config = try String(contentsOfFile: hub.configPath, encoding: .utf8)
        let monitorPort = try TestHub.freePort()
        try
            (config.replacingOccurrences(of: "journal: journal.sqlite", with: "journal: \(diskPath)/journal.sqlite")
            + "monitor:\n  listen: \"127.0.0.1:\(monitorPort)\"\n")
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        let (made, why) = try SmallDisk.make(path: diskPath, size: "8m")
        guard let disk = made else {
            print("FullDiskTests: skipped: no tmpfs in a private mount namespace here: \(why)")
            return
        }
        defer { disk.end() }
        let log = hub.directory.appendingPathComponent("full-disk.log")
        let context = try ZMQContext()

        // 1. Twenty notes journaled, then a graceful stop (which also empties the -wal).
        var serve = try disk.serve(config: hub.configPath, log: log)
        defer { if serve.isRunning { kill(serve.processIdentifier, SIGKILL) } }
        try await Self.waitForLog(log, "router running", after: 0, process: serve)
        let sender = try RawPeer(hub, context: context, party: "a")
        let accepted = try await sender.io { peer -> [UInt64] in
            try (1...20).map { index in
                try peer.submit(id: "n-\(index)", body: [UInt8](repeating: UInt8(index), count: 1000))
                return try peer.expectAccepted().seq
            }
        }
        sender.close()
        #expect(accepted == Array(1...20))
        serve.terminate()
        serve.waitUntilExit()
        let walSize = (try? FileManager.default.attributesOfItem(atPath: disk.file("journal.sqlite-wal"))[.size] as? NSNumber)?.intValue
        #expect((walSize ?? 0) == 0, "a graceful stop leaves an empty -wal")

        // 2. Started again, then the disk fills up.
        serve = try disk.serve(config: hub.configPath, log: log)
        try await Self.waitForLog(log, "router running", after: 1, process: serve)
        let filled = try disk.fill()
        print("FullDiskTests: filled \(filled) bytes")
        let receiver = try RawPeer(hub, context: context, party: "b")
        _ = try await receiver.io { try $0.hello(credit: 100) }
        let got = try await StorageFaults.collect(receiver, within: .seconds(30)) { StorageFaults.delivered($0).count >= 20 }
        #expect(StorageFaults.delivered(got) == Array(1...20))
        try await receiver.io { try $0.ack(20) }

        // 3. Submissions are refused 501 while the disk is full; no spin, a short log. SQLite
        // writes into room the -wal file already has (once a checkpoint has copied its frames
        // into the database) without asking the file system for more, so when the hub
        // checkpointed between its start and the fill, the first submissions (and the ack) may
        // still be journaled: they are counted, and must survive like the rest.
        let pid = serve.processIdentifier
        let cpuBefore = try #require(StorageFaults.cpuSeconds(pid: pid))
        let linesBefore = Self.read(log).split(separator: "\n").count
        let started = ContinuousClock.now
        let sender2 = try RawPeer(hub, context: context, party: "a")
        defer { sender2.close() }
        // A client that resubmits every 250 ms or so until 8 refusals: the window lasts at
        // least 2 s, whatever the hub's pauses, so that a spinning writer would show in the CPU time.
        let (refusals, roomAccepted) = try await sender2.io { peer -> ([WireError], UInt64) in
            var refusals: [WireError] = []
            var accepted: UInt64 = 0
            for index in 1...200 where refusals.count < 8 {
                try peer.submit(id: "full-\(index)", body: [UInt8](repeating: 7, count: 1000))
                let reply = try peer.expectReply(timeoutMs: 20_000, "ACCEPTED or ERROR")
                switch reply.command.kind {
                case .accepted(let wire):
                    guard wire.seq == 21 + accepted else { throw TestHubError("accepted \(wire) out of order") }
                    accepted += 1
                case .error(let error): refusals.append(error)
                default: throw TestHubError("unexpected \(reply)")
                }
                if let unexpected = try peer.receive(timeoutMs: 250) { throw TestHubError("unexpected \(unexpected)") }
            }
            return (refusals, accepted)
        }
        let took = ContinuousClock.now - started
        let cpu = try #require(StorageFaults.cpuSeconds(pid: pid)) - cpuBefore
        let seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
        let logLines = Self.read(log).split(separator: "\n").count - linesBefore
        print(
            "FullDiskTests: \(cpu) s of CPU and \(logLines) log lines in \(seconds) s of full disk; \(roomAccepted) accepted into the -wal's room"
        )
        #expect(refusals.map(\.code) == Array(repeating: HubErrorCode.journalFailure.rawValue, count: 8))
        #expect(cpu < 0.5 * seconds, "the hub used \(cpu) s of CPU in \(seconds) s while the disk was full")
        #expect(logLines < 100, "\(logLines) log lines in \(seconds) s:\n\(Self.read(log).suffix(3000))")
        // What the alerting rules read: failed commits counted, the journal's file system full.
        let metrics = try MonitorTests.metrics(monitorPort)
        #expect((metrics["swhub_journal_write_failures_total"] ?? 0) >= 1, "\(metrics.filter { $0.key.contains("journal") })")
        let available = metrics["swhub_journal_filesystem_avail_bytes"] ?? -1
        let size = metrics["swhub_journal_filesystem_size_bytes"] ?? -1
        #expect(available >= 0 && available < 1_000_000 && size > 0 && size <= 8 * 1024 * 1024, "available \(available) of \(size)")

        // 4. SIGTERM stops it within its drain timeout (10 s; systemd allows 30), saying what it could not save.
        let stopAsked = ContinuousClock.now
        kill(pid, SIGTERM)
        try await waitUntil(.seconds(30), "swhub serve stops on SIGTERM with a full disk") { !serve.isRunning }
        print("FullDiskTests: stopped \(ContinuousClock.now - stopAsked) after SIGTERM")
        let stopLog = Self.read(log)
        // The ack of 20 was saved only if it found room in the -wal (see 3.); if it was not,
        // the hub says so, and everything from seq 1 is delivered again after the restart.
        let ackSaved = !stopLog.contains("could not save 1 acknowledgement positions")
        if !ackSaved { #expect(stopLog.contains("redelivered, not lost"), "\(stopLog.suffix(3000))") }
        receiver.close()

        // 5. Space freed: a restart serves every accepted message (the unsaved ack only redelivers).
        try FileManager.default.removeItem(atPath: disk.file("filler"))
        serve = try disk.serve(config: hub.configPath, log: log)
        try await Self.waitForLog(log, "router running", after: 2, process: serve)
        let receiver2 = try RawPeer(hub, context: context, party: "b")
        defer { receiver2.close() }
        _ = try await receiver2.io { try $0.hello(credit: 100) }
        let last = 20 + roomAccepted
        let first: UInt64 = ackSaved ? 21 : 1
        if first <= last {
            let again = try await StorageFaults.collect(receiver2, within: .seconds(30)) {
                StorageFaults.delivered($0).count >= Int(last - first + 1)
            }
            #expect(StorageFaults.delivered(again) == Array(first...last))
        }
        let next = try await sender2.io { peer -> UInt64 in
            try peer.submit(id: "after-1")
            return try peer.expectAccepted().seq
        }
        #expect(next == last + 1, "nothing refused was journaled")
        serve.terminate()
        serve.waitUntilExit()
    }
}

extension FileHandle {
    /// Bytes up to the first newline (or the end).
    fileprivate func availableDataUntilNewline() -> Data {
        var line = Data()
        while true {
            let byte = readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) { return line }
            line.append(byte)
        }
    }
}
