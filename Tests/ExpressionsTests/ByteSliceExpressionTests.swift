import Testing
@testable import Expressions

@Suite("Byte-slice expressions (bytes converters)")
struct ByteSliceExpressionTests {
    private let payload = Array("SN01temp=21.5".utf8)

    @Test("slices", arguments: [
        ("[0:4]", "SN01"), ("[4:]", "temp=21.5"), ("[:]", "SN01temp=21.5"), ("[:4]", "SN01"),
        ("[-4:]", "21.5"), ("[2]", "0"), ("[-1]", "5"), ("[100:]", ""), ("[3:1]", ""),
        ("sensor-[0:4]", "sensor-SN01"), ("[0:2]-[2:4]", "SN-01"), ("default", "default"),
        ("[ 1]", "[ 1]"), ("[:-1]", "[:-1]"),
    ])
    func slices(_ testCase: (String, String)) throws {
        #expect(try ByteSliceExpression(testCase.0).evaluate(payload, hexMode: false) == testCase.1)
    }

    @Test func hexMode() throws {
        let bytes: [UInt8] = [0x00, 0xAB, 0x10, 0xFF]
        #expect(try ByteSliceExpression("[:]").evaluate(bytes, hexMode: true) == "00ab10ff")
        #expect(try ByteSliceExpression("[1]").evaluate(bytes, hexMode: true) == "ab")
        #expect(try ByteSliceExpression("id-[2:]").evaluate(bytes, hexMode: true) == "id-10ff")
    }

    @Test func unreadableSelectionsGiveNil() throws {
        #expect(try ByteSliceExpression("[9]").evaluate([1, 2], hexMode: false) == nil)
        #expect(try ByteSliceExpression("[9]").evaluate([1, 2], hexMode: true) == nil)
        #expect(try ByteSliceExpression("[:]").evaluate([0xFF, 0xFE], hexMode: false) == nil, "not UTF-8")
        #expect(try ByteSliceExpression("[:]").evaluate([], hexMode: false) == "")
    }

    @Test func constants() throws {
        #expect(try ByteSliceExpression("default").isConstant)
        #expect(try !ByteSliceExpression("[0:2]").isConstant)
    }

    @Test("brackets the reference would fail on are refused", arguments: [
        ("[a1]", "\"[a1]\": \"a1\" is not an integer"),
        ("x[1:2:3]", "\"[1:2:3]\": slice steps are not supported"),
        ("[::]", "\"[::]\": slice steps are not supported"),
    ])
    func refused(_ testCase: (String, String)) {
        #expect(throws: ExpressionError(expression: testCase.0, reason: testCase.1)) {
            try ByteSliceExpression(testCase.0)
        }
    }
}
