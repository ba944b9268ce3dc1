import Testing
@testable import Expressions
import GatewayKit

@Suite("Datapoint types and coercion (the reference's convert_data_type)")
struct ValueTypeTests {
    @Test("type names", arguments: [
        ("int", ValueType.integer), ("integer", .integer), ("long", .integer), ("INT", .integer), ("uint16", .integer),
        ("float", .double), ("double", .double), ("Double", .double),
        ("bool", .boolean), ("boolean", .boolean),
        ("string", .string), ("str", .string), ("raw", .raw), ("json", .string), ("floatish", .string),
    ])
    func names(_ testCase: (String, ValueType)) {
        #expect(ValueType(configName: testCase.0) == testCase.1)
    }

    @Test("coercion table", arguments: [
        // integer: int(float(str(x))); text that is no number stays text
        (ValueType.integer, JSONValue.string("21.420000"), JSONValue.int(21)),
        (.integer, .string("-7.9"), .int(-7)),
        (.integer, .string(" 1e3 "), .int(1000)),
        (.integer, .string("1_000"), .int(1000)),
        (.integer, .double(21.9), .int(21)),
        (.integer, .int(9_007_199_254_740_993), .int(9_007_199_254_740_993)),
        (.integer, .string("abc"), .string("abc")),
        (.integer, .bool(true), .string("True")),
        (.integer, .string("nan"), .string("nan")),
        (.integer, .string("0x10"), .string("0x10")),
        // up to 2^64 − 1 every digit is kept (Python ints have no limit); beyond, the text stays
        (.integer, .uint(.max), .uint(.max)),
        (.integer, .string(" 18446744073709551615 "), .uint(.max)),
        (.integer, .string("9223372036854775807"), .int(.max)),
        (.integer, .double(1e19), .uint(10_000_000_000_000_000_000)),
        (.integer, .string("1e20"), .string("1e20")),
        (.double, .uint(.max), .double(1.8446744073709552e19)),  // the nearest double, 2^64
        (.string, .uint(12_297_829_382_473_034_410), .string("12297829382473034410")),
        (.boolean, .uint(.max), .string("18446744073709551615")),
        // double: float(str(x))
        (.double, .int(21), .double(21)),
        (.double, .string("21.5"), .double(21.5)),
        (.double, .string("  -.5"), .double(-0.5)),
        (.double, .string("wet"), .string("wet")),
        (.double, .bool(false), .string("False")),
        // boolean: the word lists, case and spaces ignored
        (.boolean, .string("yes"), .bool(true)), (.boolean, .string("Y"), .bool(true)),
        (.boolean, .string("t"), .bool(true)), (.boolean, .string("TRUE"), .bool(true)),
        (.boolean, .string("on"), .bool(true)), (.boolean, .int(1), .bool(true)),
        (.boolean, .string("n"), .bool(false)), (.boolean, .string("No"), .bool(false)),
        (.boolean, .string("f"), .bool(false)), (.boolean, .string(" false "), .bool(false)),
        (.boolean, .string("off"), .bool(false)), (.boolean, .int(0), .bool(false)),
        (.boolean, .bool(true), .bool(true)),
        (.boolean, .int(2), .string("2")), (.boolean, .double(1.0), .string("1.0")),
        (.boolean, .string("maybe"), .string("maybe")),
        // string / raw: str(x)
        (.string, .int(40), .string("40")), (.string, .double(21.0), .string("21.0")),
        (.string, .bool(true), .string("True")), (.string, .string("x"), .string("x")),
        (.string, .double(1e-5), .string("1e-05")),
        (.string, JSONValue.object(["a": 1, "b": [true, .null, "q"]]), .string("{'a': 1, 'b': [True, None, 'q']}")),
        (.raw, .int(5), .string("5")),
    ])
    func coercion(_ testCase: (ValueType, JSONValue, JSONValue)) {
        #expect(testCase.0.coerce(testCase.1) == testCase.2, "\(testCase.0) of \(testCase.1)")
    }

    @Test func nullIsSkipped() {
        for type in [ValueType.integer, .double, .boolean, .string, .raw] {
            #expect(type.coerce(.null) == nil)
        }
    }
}
