import HubCore
import HubProtocol
import Testing

@Suite("Customs status of an inventory")
struct CustomsStatusMachineTests {
    @Test func theUsualPathAnnouncesTheReleaseOnce() {
        var machine = CustomsStatusMachine()
        #expect(machine.receipt(status: .declaring, info: "申报中") == [.statusChanged(.declaring, info: "申报中")])
        #expect(machine.receipt(status: .accepted, info: "入库") == [.statusChanged(.accepted, info: "入库")])
        #expect(machine.receipt(status: .approved, info: "审结") == [.statusChanged(.approved, info: "审结")])
        #expect(machine.receipt(status: .released, info: "放行") == [.statusChanged(.released, info: "放行"), .released])
        #expect(machine.receipt(status: .released, info: "放行") == [], "a repeated receipt changes nothing")
        #expect(machine.receipt(status: .closed, info: "结关") == [.statusChanged(.closed, info: "结关")])
        #expect(machine.isFinished)
        #expect(machine.receipt(status: .inspection, info: "") == [])
    }

    @Test func lateReceiptsNeverMoveBackwards() {
        var machine = CustomsStatusMachine()
        _ = machine.receipt(status: .released, info: "")
        #expect(machine.receipt(status: .approved, info: "late") == [])
        #expect(machine.receipt(status: .accepted, info: "late") == [])
        #expect(machine.status == .released)
    }

    @Test func inspectionThenRelease() {
        var machine = CustomsStatusMachine()
        _ = machine.receipt(status: .accepted, info: "")
        #expect(machine.receipt(status: .inspection, info: "查验") == [.statusChanged(.inspection, info: "查验")])
        #expect(machine.receipt(status: .detained(501), info: "扣留") == [], "detentions share the inspection rank")
        #expect(machine.receipt(status: .released, info: "") == [.statusChanged(.released, info: ""), .released])
    }

    @Test(arguments: [CustomsStatus.rejected, .returned])
    func rejectionAndReturnEndTheFlowWithoutRelease(terminal: CustomsStatus) {
        var machine = CustomsStatusMachine()
        _ = machine.receipt(status: .accepted, info: "")
        #expect(machine.receipt(status: terminal, info: "x") == [.statusChanged(terminal, info: "x")])
        #expect(machine.isFinished)
        #expect(machine.receipt(status: .released, info: "") == [])
    }

    @Test func aClosingReceiptImpliesTheLostRelease() {
        var machine = CustomsStatusMachine()
        _ = machine.receipt(status: .approved, info: "")
        #expect(machine.receipt(status: .closed, info: "") == [.statusChanged(.closed, info: ""), .released])
    }

    @Test func processingErrorsAreReportedWithoutChangingTheState() {
        var machine = CustomsStatusMachine()
        _ = machine.receipt(status: .accepted, info: "")
        #expect(
            machine.receipt(status: .processingError(-301010), info: "报文重复") == [.processingError(.processingError(-301010), info: "报文重复")])
        #expect(machine.status == .accepted)
    }

    @Test func unknownCodesAreIgnored() {
        var machine = CustomsStatusMachine()
        #expect(machine.receipt(status: .unlisted(42), info: "") == [])
        #expect(machine.status == .unspecified)
    }

    @Test func theStandardsCodesHaveNames() {
        let named: [(CustomsStatus, Int32)] = [
            (.rejected, 100), (.accepted, 120), (.manualReview, 300), (.approved, 399), (.inspection, 500),
            (.returned, 700), (.released, 800), (.closed, 899),
        ]
        for (status, code) in named {
            #expect(status.code == code)
            #expect(CustomsStatus(code: code) == status)
        }
        #expect(CustomsStatus(code: -301010) == .processingError(-301010))
        #expect(CustomsStatus(code: 599) == .detained(599))
        #expect(CustomsStatus(code: 42) == .unlisted(42))
    }

    @Test(arguments: [-301010, -1, 0, 1, 4, 42, 100, 120, 300, 399, 500, 501, 550, 599, 600, 700, 800, 899, 900, .max, .min] as [Int32])
    func everyCodeRoundTrips(code: Int32) {
        #expect(CustomsStatus(code: code).code == code)
        var receipt = BizReceipt()
        receipt.status = CustomsStatus(code: code)
        #expect(receipt.returnStatus == code, "an unknown code travels on unchanged")
    }
}
