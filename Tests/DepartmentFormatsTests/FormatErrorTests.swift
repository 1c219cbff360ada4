import DepartmentFormats
import Testing

@Suite("Format errors")
struct FormatErrorTests {
    @Test func describesCodeLocationAndReason() {
        #expect(FormatError(.missingField, at: "line 3", "orderNo is empty").description == "MISSING_FIELD at line 3: orderNo is empty")
        #expect(FormatError(.syntax, "not XML").description == "SYNTAX: not XML")
    }
}
