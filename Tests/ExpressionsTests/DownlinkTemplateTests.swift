import Testing
@testable import Expressions
import GatewayKit

@Suite("Downlink templates")
struct DownlinkTemplateTests {
    private func render(_ source: String, _ context: DownlinkContext, usage: DownlinkTemplate.Usage = .payload) throws -> String {
        try DownlinkTemplate(source, usage: usage).render(context)
    }

    @Test("attribute updates format values like the reference's _format_value", arguments: [
        (JSONValue.string("on"), "on"), (.int(5), "5"), (.double(21.0), "21.0"), (.double(1e-5), "1e-05"),
        (.bool(true), "true"), (.bool(false), "false"), (.null, "null"),
        (JSONValue.object(["a": 1, "b": [true]]), #"{"a":1,"b":[true]}"#), (JSONValue.array([1, "x"]), #"[1,"x"]"#),
    ])
    func attributeUpdateValues(_ testCase: (JSONValue, String)) throws {
        let context = DownlinkContext(deviceName: "SN-1", attributeKey: "relay", attributeValue: testCase.0)
        #expect(try render("${attributeValue}", context) == testCase.1)
        #expect(try render(#"{"${attributeKey}":${attributeValue}}"#, context) == #"{"relay":"# + testCase.1 + "}")
    }

    @Test func attributeRequestAnswersAreJSON() throws {
        let context = DownlinkContext(deviceName: "SN-1", attributeKey: "fw", attributeValue: "1.2",
                                      attributeValueStyle: .json)
        #expect(try render(#"{"${attributeKey}": ${attributeValue}}"#, context) == #"{"fw": "1.2"}"#)
    }

    @Test func topicsOfTheReferenceConfig() throws {
        let rpc = DownlinkContext(deviceName: "SN-1", methodName: "getRelay", requestId: 42, params: ["on": true])
        #expect(try render("sensor/${deviceName}/request/${methodName}/${requestId}", rpc, usage: .topic)
                == "sensor/SN-1/request/getRelay/42")
        let update = DownlinkContext(deviceName: "SN-1", deviceType: "thermo", attributeKey: "relay", attributeValue: true)
        #expect(try render("devices/${deviceName}/${deviceType}/attrs/${attributeKey}", update, usage: .topic)
                == "devices/SN-1/thermo/attrs/relay")
    }

    @Test func rpcParamsAreJSONInPayloads() throws {
        let rpc = DownlinkContext(deviceName: "SN-1", methodName: "set", requestId: 7,
                                  params: ["speed": 3, "mode": "eco", "nested": ["x": 1.5]])
        #expect(try render("${params}", rpc) == #"{"speed":3,"mode":"eco","nested":{"x":1.5}}"#)
        #expect(try render("${params.mode}", rpc) == #""eco""#)
        #expect(try render("${params.speed}", rpc) == "3")
        #expect(try render("${params.nested}", rpc) == #"{"x":1.5}"#)
        #expect(try render(#"{"m":${method},"id":${id}}"#, rpc) == #"{"m":"set","id":7}"#)
        #expect(try render("${params.missing}", rpc) == #""${params.missing}""#, "the reference sends the tag as a JSON string")
        let plain = DownlinkContext(deviceName: "SN-1", methodName: "toggle", requestId: 1, params: "on")
        #expect(try render("${params}", plain) == #""on""#)
    }

    @Test func rpcParamsArePlainTextInTopics() throws {
        let rpc = DownlinkContext(deviceName: "SN-1", methodName: "set", requestId: 7, params: ["mode": "eco", "level": 2.0])
        #expect(try render("cmd/${params.mode}/${params.level}", rpc, usage: .topic) == "cmd/eco/2.0")
        #expect(try render("cmd/${params.none}", rpc, usage: .topic) == "cmd/${params.none}")
    }

    @Test func missingContextLeavesThePlaceholder() throws {
        let context = DownlinkContext(deviceName: "SN-1")
        #expect(try render("${attributeKey}=${attributeValue}/${methodName}/${requestId}/${params}", context)
                == "${attributeKey}=${attributeValue}/${methodName}/${requestId}/${params}")
    }

    @Test func malformedTemplatesAreRefused() {
        #expect(throws: ExpressionError(expression: "sensor/${deviceName", reason: "\"${\" without a closing \"}\"")) {
            try DownlinkTemplate("sensor/${deviceName")
        }
    }
}
