import Testing
@testable import Expressions
import GatewayKit

@Suite("Value expressions")
struct ValueExpressionTests {
    private let sensor = message("""
        {"temp": 21.5, "hum": 40, "name": "SN-1", "ok": true, "none": null,
         "sensor": {"readings": [{"v": 1}, {"v": 2}, {"w": 3, "v": 4}], "model": {"id": "T1000"}},
         "Temperature Reading": 19.25, "a.b": "dotted top-level key", "list": [10, 20, 30],
         "with space": {"inner key": "deep"}}
        """)

    private func value(_ source: String, in json: JSONValue? = nil) throws -> JSONValue? {
        try ValueExpression(source).evaluate(in: json ?? sensor)
    }

    @Test func topLevelKeysKeepTheirJSONType() throws {
        #expect(try value("${temp}") == .double(21.5))
        #expect(try value("${hum}") == .int(40))
        #expect(try value("${name}") == .string("SN-1"))
        #expect(try value("${ok}") == .bool(true))
        #expect(try value("${sensor}")?.objectValue?.keys.first == "readings")
    }

    @Test func nullIsFoundAsNullAndAMissingKeyIsNil() throws {
        #expect(try value("${none}") == .null)
        #expect(try value("${missing}") == nil)
        #expect(try value("${sensor.missing}") == nil)
    }

    @Test func pathsWalkObjectsAndArrays() throws {
        #expect(try value("${sensor.readings[0].v}") == .int(1))
        #expect(try value("${sensor.readings[1].v}") == .int(2))
        #expect(try value("${sensor.readings[-1].v}") == .int(4))
        #expect(try value("${sensor.readings[5].v}") == nil)
        #expect(try value("${sensor.model.id}") == .string("T1000"))
        #expect(try value("${list[2]}") == .int(30))
        #expect(try value("$.list[0]") == .string("$.list[0]"), "without ${ it is a constant")
        #expect(try value("${$.list[0]}") == .int(10))
        // jsonpath's "@" (the current value) is the message too.
        #expect(try value("${@.list[0]}") == .int(10))
        #expect(try value("${@}") == value("${$}"))
    }

    @Test func wildcardsAndSlicesGiveTheFirstMatch() throws {
        #expect(try value("${sensor.readings[*].w}") == .int(3))
        #expect(try value("${sensor.readings[1:].v}") == .int(2))
        #expect(try value("${list[*]}") == .int(10))
        #expect(try value("${sensor.*.id}") == .string("T1000"))
        #expect(try value("${sensor..id}") == .string("T1000"))
        #expect(try value("${..w}") == .int(3))
        // jsonpath-rw treats an object as a one-element list under [*].
        #expect(try value("${sensor.model[*].id}") == .string("T1000"))
        // ... and so any integer, also one above Int64 (a 64-bit EUI).
        let eui = try JSONValue.parse(#"{"eui": 12297829382473034410, "n": 7}"#)
        #expect(try value("${eui[*]}", in: eui) == .uint(12_297_829_382_473_034_410))
        #expect(try value("${n[0:1]}", in: eui) == .int(7))
    }

    @Test func keysWithSpacesAndDots() throws {
        #expect(try value("${Temperature Reading}") == .double(19.25))
        #expect(try value("${with space.inner key}") == .string("deep"))
        #expect(try value("${a.b}") == .string("dotted top-level key"), "a top-level key named a.b wins")
        #expect(try value("${\"with space\".\"inner key\"}") == .string("deep"))
    }

    @Test("the reference looks up the first word of the placeholder as a top-level key first")
    func firstWordQuirk() throws {
        let json = message(#"{"Temperature": 5, "Temperature Reading": 19.25}"#)
        #expect(try value("${Temperature Reading}", in: json) == .int(5))
    }

    @Test func templatesSubstitutePythonText() throws {
        #expect(try value("${name}-${hum}") == .string("SN-1-40"))
        #expect(try value("T=${temp}°C ok=${ok}") == .string("T=21.5°C ok=True"))
        #expect(try value("${sensor.model.id}/${list[1]}") == .string("T1000/20"))
        #expect(try value("${name}-${missing}") == nil)
        #expect(try value("${name}-${none}") == nil)
    }

    @Test func textKeepsUnresolvedPlaceholdersWhenAsked() throws {
        let expression = try ValueExpression("${name}-${missing}")
        #expect(expression.text(in: sensor, keepingUnresolved: true) == "SN-1-${missing}")
        #expect(expression.text(in: sensor, keepingUnresolved: false) == nil)
        #expect(try ValueExpression("${temp}").text(in: sensor, keepingUnresolved: false) == "21.5")
        #expect(try ValueExpression("${missing}").text(in: sensor, keepingUnresolved: true) == "${missing}")
    }

    @Test func literalsAreConstants() throws {
        let expression = try ValueExpression("Thermometer")
        #expect(expression.isConstant)
        #expect(expression.evaluate(in: sensor) == .string("Thermometer"))
        #expect(try value("") == .string(""))
        #expect(try ValueExpression("${a}-${b.c}").placeholders == ["a", "b.c"])
    }

    @Test func nonObjectMessages() throws {
        let array = message(#"[{"v": 7}, {"v": 8}]"#)
        #expect(try value("${[1].v}", in: array) == .int(8))
        #expect(try value("${v}", in: .string("text")) == nil)
    }

    @Test("malformed expressions are refused with the reason", arguments: [
        ("${temp", "\"${\" without a closing \"}\""),
        ("value: ${}", "empty placeholder"),
        ("${a.}", "the path ends with \".\""),
        ("${a[0}", "\"[\" without \"]\""),
        ("${a[1:2:3]}", "slice steps are not supported: [1:2:3]"),
        ("${a[x:1]}", "slice bounds must be integers: [x:1]"),
        ("${\"open}", "unterminated quoted key"),
    ])
    func malformed(_ testCase: (String, String)) {
        #expect(throws: ExpressionError(expression: testCase.0, reason: testCase.1)) {
            try ValueExpression(testCase.0)
        }
    }

    @Test func errorDescriptionNamesTheExpression() {
        let error = ExpressionError(expression: "${temp", reason: "\"${\" without a closing \"}\"")
        #expect(error.description == #"invalid expression "${temp": "${" without a closing "}""#)
    }
}
