import HubThreads
import Testing

/// A repeated line is logged at most once per interval per key, and the next one says how
/// many were held back.
@Suite("LogPace")
struct LogPaceTests {
    @Test func oneLinePerIntervalWithTheCountHeldBack() {
        var pace = LogPace(interval: .seconds(10))
        let start = ContinuousClock.now
        #expect(pace.allow("refused", at: start) == 0)
        for second in 1...9 { #expect(pace.allow("refused", at: start + .seconds(second)) == nil) }
        #expect(pace.allow("refused", at: start + .seconds(10)) == 9, "the next line counts the nine held back")
        #expect(pace.allow("refused", at: start + .seconds(11)) == nil)
        #expect(pace.allow("refused", at: start + .seconds(25)) == 1)
    }

    @Test func keysArePacedApart() {
        var pace = LogPace(interval: .seconds(10))
        let start = ContinuousClock.now
        #expect(pace.allow("unknown key", at: start) == 0)
        #expect(pace.allow("no CURVE", at: start) == 0, "another kind of line is not held back by the first")
        #expect(pace.allow("unknown key", at: start + .seconds(1)) == nil)
    }
}
