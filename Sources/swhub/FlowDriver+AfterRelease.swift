import FlowSamples
import Foundation
import HubProtocol

/// `swhub demo` after the release: the platform cancels one released declaration and
/// returns a line of another; the simulated customs approves both, and the hub sends the
/// withdrawal notice and the return notice (PROTOCOL.md section 13, "Cancellations" and
/// "Returns").
extension FlowDriver {
    /// A cancellation or return filed by the demo, with the declaration it names.
    struct AfterReleaseFiling {
        /// "cancellation" or "return".
        var kind: String
        /// The filing's id, and the declaration's (its inventory's id) and customs' number.
        var id: String
        var declaration: String
        var invtNo: String
    }

    /// Files a cancellation of the first released declaration of `declarations` and a
    /// return of one piece of the first line of the second; empty when fewer than two were
    /// released.
    func cancelAndReturn(_ declarations: [String]) async throws -> [AfterReleaseFiling] {
        let released = declarations.compactMap { id -> (id: String, invtNo: String)? in
            guard let feedback = board.feedback(id), feedback.state == .accepted,
                let invtNo = feedback.departments.first?.code, !invtNo.isEmpty
            else { return nil }
            return (id, invtNo)
        }
        guard released.count >= 2 else { return [] }
        let ebcCode = SampleFilings.Filers().ebcCode

        var cancellation = BizCancellation()
        cancellation.appType = .new
        cancellation.invtNo = released[0].invtNo
        cancellation.copNo = "CXL-DEMO-1"
        cancellation.reason = "买家取消订单"
        cancellation.ebcCode = ebcCode
        cancellation.ieFlag = "I"
        try await submit("platform", .cancellation, cancellation, id: "cancellation-1")

        var request = BizReturnRequest()
        request.appType = .new
        request.invtNo = released[1].invtNo
        request.copNo = "RET-DEMO-1"
        request.reason = "质量问题"
        request.ebcCode = ebcCode
        request.originalIeFlag = "I"
        var line = BizReturnRequestItem()
        line.gnum = 1
        line.qty = "1"
        request.invtRefundList = [line]
        try await submit("platform", .returnRequest, request, id: "return-1")
        return [
            AfterReleaseFiling(kind: "cancellation", id: "cancellation-1", declaration: released[0].id, invtNo: released[0].invtNo),
            AfterReleaseFiling(kind: "return", id: "return-1", declaration: released[1].id, invtNo: released[1].invtNo),
        ]
    }
}
