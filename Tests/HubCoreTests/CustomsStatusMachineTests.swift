import HubCore
import Testing

@Suite("Customs status of an inventory")
struct CustomsStatusMachineTests {
    @Test func theUsualPathAnnouncesTheReleaseOnce() {
        var machine = CustomsStatusMachine()
        #expect(machine.receipt(status: 2, info: "申报中") == [.statusChanged(2, info: "申报中")])
        #expect(machine.receipt(status: 120, info: "入库") == [.statusChanged(120, info: "入库")])
        #expect(machine.receipt(status: 399, info: "审结") == [.statusChanged(399, info: "审结")])
        #expect(machine.receipt(status: 800, info: "放行") == [.statusChanged(800, info: "放行"), .released])
        #expect(machine.receipt(status: 800, info: "放行") == [], "a repeated receipt changes nothing")
        #expect(machine.receipt(status: 899, info: "结关") == [.statusChanged(899, info: "结关")])
        #expect(machine.isFinished)
        #expect(machine.receipt(status: 500, info: "") == [])
    }

    @Test func lateReceiptsNeverMoveBackwards() {
        var machine = CustomsStatusMachine()
        _ = machine.receipt(status: 800, info: "")
        #expect(machine.receipt(status: 399, info: "late") == [])
        #expect(machine.receipt(status: 120, info: "late") == [])
        #expect(machine.status == 800)
    }

    @Test func inspectionThenRelease() {
        var machine = CustomsStatusMachine()
        _ = machine.receipt(status: 120, info: "")
        #expect(machine.receipt(status: 500, info: "查验") == [.statusChanged(500, info: "查验")])
        #expect(machine.receipt(status: 501, info: "扣留") == [], "detentions share the inspection rank")
        #expect(machine.receipt(status: 800, info: "") == [.statusChanged(800, info: ""), .released])
    }

    @Test(arguments: [100, 700] as [Int32])
    func rejectionAndReturnEndTheFlowWithoutRelease(terminal: Int32) {
        var machine = CustomsStatusMachine()
        _ = machine.receipt(status: 120, info: "")
        #expect(machine.receipt(status: terminal, info: "x") == [.statusChanged(terminal, info: "x")])
        #expect(machine.isFinished)
        #expect(machine.receipt(status: 800, info: "") == [])
    }

    @Test func aClosingReceiptImpliesTheLostRelease() {
        var machine = CustomsStatusMachine()
        _ = machine.receipt(status: 399, info: "")
        #expect(machine.receipt(status: 899, info: "") == [.statusChanged(899, info: ""), .released])
    }

    @Test func processingErrorsAreReportedWithoutChangingTheState() {
        var machine = CustomsStatusMachine()
        _ = machine.receipt(status: 120, info: "")
        #expect(machine.receipt(status: -301010, info: "报文重复") == [.processingError(-301010, info: "报文重复")])
        #expect(machine.status == 120)
    }

    @Test func unknownCodesAreIgnored() {
        var machine = CustomsStatusMachine()
        #expect(machine.receipt(status: 42, info: "") == [])
        #expect(machine.status == 0)
    }
}
