import Foundation
import HubClient
import HubTestSupport
import Testing

/// The SDK's request timeout must hold however many submissions are waiting while the hub
/// is unreachable (a hub that is down, restarting, or just killed).
@Suite("SDK requests to an unreachable hub", .serialized, .timeLimit(.minutes(1)))
struct ClientStallTests {
    /// Every submission ends with TIMEOUT instead of waiting forever; that they end at all
    /// (not one after another, 2 s each) is what the 30 s guard below checks (generous for a loaded machine), not a stopwatch.
    @Test(arguments: [500, 1500])
    func submissionsToAnUnreachableHubTimeOut(count: Int) async throws {
        let hub = try TestHub(parties: [.init(id: "enterprise")])  // never started: nothing listens
        let client = try hub.client("enterprise", requestTimeout: .seconds(2))
        let outcomes: [String]
        do {
            outcomes = try await withTimeout(.seconds(30), "\(count) submissions to an unreachable hub") {
                await withTaskGroup(of: String.self) { group in
                    for index in 0..<count {
                        group.addTask {
                            do {
                                _ = try await client.submit(type: "demo.Note", body: [], id: "u-\(index)")
                                return "accepted?!"
                            } catch let error as HubClientError {
                                return error.code.name
                            } catch {
                                return "\(error)"
                            }
                        }
                    }
                    var outcomes: [String] = []
                    for await outcome in group { outcomes.append(outcome) }
                    return outcomes
                }
            }
        } catch let error as TimeoutError {
            // The client's I/O thread is stuck; close() would wait for it forever, so the
            // client is left behind on purpose.
            Issue.record("\(error): none of them timed out after the 2 s request timeout")
            return
        }
        client.close()
        #expect(outcomes.count == count)
        #expect(outcomes.allSatisfy { $0 == HubClientError.Code.timeout.name }, "\(Set(outcomes))")
    }
}
