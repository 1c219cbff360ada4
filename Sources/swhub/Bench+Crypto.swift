import Foundation
import HubCore

extension Bench {
    /// `--crypto-only`: the cases that write and read the journal on a hub with each suite,
    /// `standard` first, in the same run; each `sm` figure is printed beside the standard one
    /// (`route_1to1_sm`, `route_1to1_batched_sm`, `replay_sm`, `replay_batched_sm`).
    func cryptoRun(_ report: BenchReport, directory: URL, messages: Int) throws {
        var standard: [String: Double] = [:]
        for suite in CryptoSuite.allCases {
            let folder = directory.appendingPathComponent("crypto-\(suite.rawValue)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let setup = try BenchSetup(directory: folder, idOrder: idOrder)
            setup.crypto = suite
            try setup.startHub()
            defer { setup.stopAll() }
            let route = try setup.runRouting(hub: true, size: 1024, count: messages, recipients: 1)
            let routeBatched = try setup.runRouting(hub: true, size: 1024, count: messages, recipients: 1, batch: Self.wireBatch)
            let replays = try setup.runReplay(size: 1024, count: messages, batches: [0, UInt32(Self.wireBatch)])
            let rates = [
                ("route_1to1", route), ("route_1to1_batched", routeBatched), ("replay", replays[0]), ("replay_batched", replays[1]),
            ]
            for (name, rate) in rates {
                if suite == .standard { standard[name] = rate }
                report.line(
                    case: suite == .standard ? name : "\(name)_\(suite.rawValue)", size: 1024, count: messages, rate: rate,
                    baseline: suite == .standard ? nil : standard[name], rss: setup.hubRSS,
                    baselineName: suite == .standard ? "zmq_proxy" : "crypto: standard")
            }
        }
    }
}
