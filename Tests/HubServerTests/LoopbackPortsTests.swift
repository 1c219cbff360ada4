import Foundation
import LocalServers
import Testing
import ZeroMQ

/// The ports the tests, the bench and the PostgreSQL harness give their servers.
@Suite("Loopback ports for child servers")
struct LoopbackPortsTests {
    @Test func portsAreHandedOutOnceEachWithinTheRange() throws {
        let ports = LoopbackPorts(9_700...9_799)
        var taken: [Int] = []
        for _ in 0..<60 { taken.append(try #require(ports.take())) }
        #expect(Set(taken).count == 60)
        #expect(taken.allSatisfy { (9_700...9_799).contains($0) })
    }

    @Test func aPortSomethingListensOnIsSkipped() throws {
        let context = try ZMQContext()
        let listener = try ZMQSocket(context: context, type: .router)
        defer { listener.close() }
        try listener.linger(ms: 0)
        try listener.bind("tcp://127.0.0.1:9901")
        #expect(!LoopbackPorts.canBind(9_901))
        #expect(LoopbackPorts.canConnect(9_901))
        #expect(!LoopbackPorts.canConnect(9_902))
        let ports = LoopbackPorts(9_900...9_902)
        let taken = Set([try #require(ports.take()), try #require(ports.take())])
        #expect(taken == [9_900, 9_902])
    }

    /// Instances sharing a lock directory never hand out the same port (as `swhub bench`
    /// runs side by side do, one instance each): a port another holds is skipped, and a
    /// range all reserved elsewhere gives none; an instance without the directory knows only
    /// itself. (`flock` locks of two descriptors conflict within one process as across two.)
    @Test func aLockDirectoryKeepsInstancesApart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-port-locks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = LoopbackPorts(9_600...9_603, lockDirectory: directory.path)
        let second = LoopbackPorts(9_600...9_603, lockDirectory: directory.path)
        let one = try #require(first.take())
        let others = Set([try #require(second.take()), try #require(second.take()), try #require(second.take())])
        #expect(!others.contains(one))
        #expect(others.union([one]) == Set(9_600...9_603))
        #expect(first.take() == nil)
        #expect(second.take() == nil)
        #expect(LoopbackPorts(9_600...9_603).take() != nil)
    }
}
