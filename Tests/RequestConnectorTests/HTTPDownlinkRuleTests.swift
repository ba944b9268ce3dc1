import Expressions
import GatewayKit
import HTTPConnectorKit
import Logging
import Testing

private func rule(_ json: String, kind: HTTPDownlinkRule.Kind, defaults: HTTPDownlinkDefaults = .request) throws -> HTTPDownlinkRule {
    try HTTPDownlinkRule(ConfigReader(JSONValue.parse(json), file: "request.json", path: "serverSideRpc[0]"),
                         kind: kind, defaults: defaults)
}

private func ruleError(_ json: String, kind: HTTPDownlinkRule.Kind) -> ConfigError? {
    do {
        _ = try rule(json, kind: kind)
        return nil
    } catch let error as ConfigError {
        return error
    } catch {
        return nil
    }
}

private let sender = HTTPDownlinkSender(baseURL: "http://127.0.0.1:5000", logger: Logger(label: "test"))

@Suite struct HTTPDownlinkRuleParsingTests {
    /// The reference request.json entry, Request spelling.
    @Test func requestSpellingOfAnAttributeUpdate() throws {
        let parsed = try rule("""
            {"httpMethod": "post", "httpHeaders": {"Content-Type": "application/json"}, "timeout": 0.5, "tries": 3,
             "allowRedirects": true, "deviceNameFilter": "SD.*", "attributeFilter": "send_data",
             "requestUrlExpression": "sensor/${deviceName}/${attributeKey}",
             "requestValueExpression": "{\\"${attributeKey}\\":\\"${attributeValue}\\"}"}
            """, kind: .attributeUpdate)
        #expect(parsed.httpMethod == "POST")
        #expect(parsed.timeout == .milliseconds(500))
        #expect(parsed.tries == 3)
        #expect(parsed.allowRedirects)
        #expect(parsed.headers["Content-Type"] == ["application/json"])
        #expect(parsed.matches(device: "SD8500", name: "send_data"))
        #expect(!parsed.matches(device: "XSD8500", name: "send_data"), "fullmatch: the filter must match from the start")
        #expect(!parsed.matches(device: "SD8500", name: "send_data2"), "fullmatch: the filter must match to the end")

        let request = sender.request(for: parsed, context: DownlinkContext(
            deviceName: "SD 8500", attributeKey: "send_data", attributeValue: .int(5)))
        #expect(request.method == "POST")
        #expect(request.url == "http://127.0.0.1:5000/sensor/SD%208500/send_data")
        #expect(request.body.map { String(decoding: $0, as: UTF8.self) } == #"{"send_data":"5"}"#)
        #expect(request.timeout == .milliseconds(500))
        #expect(request.tries == 3)
        #expect(request.followRedirects)
    }

    /// The reference rest.json entry, REST spelling (`HTTPMethod`, `valueExpression`, `${restId}`).
    @Test func restSpellingOfAnRPC() throws {
        let parsed = try rule("""
            {"deviceNameFilter": "SN.*", "methodFilter": "post_attributes",
             "requestUrlExpression": "http://127.0.0.1:5001/rpc/${deviceName}/${restId}", "responseTimeout": 1,
             "HTTPMethod": "POST", "timeout": 10, "tries": 3, "SSLVerify": false,
             "valueExpression": "{\\"sensorName\\":\\"${deviceName}\\", \\"sensorModel\\":${params.sensorModel}, \\"all\\":${params}}",
             "security": {"type": "basic", "username": "u", "password": "p"}}
            """, kind: .rpc, defaults: .rest)
        #expect(parsed.httpMethod == "POST")
        #expect(parsed.responseTimeout == .seconds(1))
        #expect(!parsed.verifyCertificates)
        #expect(parsed.security == .basic(username: "u", password: "p"))
        #expect(parsed.matches(device: "SN-1", name: "post_attributes"))

        let request = sender.request(for: parsed, context: DownlinkContext(
            deviceName: "SN-1", methodName: "post_attributes", requestId: 42,
            params: ["sensorModel": "T1000", "n": 3]))
        #expect(request.url == "http://127.0.0.1:5001/rpc/SN-1/42")
        #expect(request.body.map { String(decoding: $0, as: UTF8.self) }
                == #"{"sensorName":"SN-1", "sensorModel":"T1000", "all":{"sensorModel":"T1000","n":3}}"#)
    }

    @Test func defaultsAndRootSettings() throws {
        var defaults = HTTPDownlinkDefaults.request
        defaults.security = .basic(username: "root", password: "pw")
        defaults.verifyCertificates = true
        let parsed = try rule(#"{"methodFilter": "echo", "requestUrlExpression": "/r/${methodName}"}"#, kind: .rpc,
                              defaults: defaults)
        #expect(parsed.httpMethod == "GET")
        #expect(parsed.timeout == .seconds(1))
        #expect(parsed.tries == 1)
        #expect(!parsed.allowRedirects)
        #expect(parsed.verifyCertificates)
        #expect(parsed.security == .basic(username: "root", password: "pw"))
        #expect(parsed.responseTimeout == .seconds(5))
        #expect(parsed.valueTemplate == nil)
        #expect(parsed.matches(device: "anything", name: "echo"))
        let request = sender.request(for: parsed, context: DownlinkContext(deviceName: "d", methodName: "echo", requestId: 1))
        #expect(request.url == "http://127.0.0.1:5000/r/echo")
        #expect(request.body == nil)
    }

    @Test func headersMayBeAJSONString() throws {
        let parsed = try rule(#"{"methodFilter": "m", "requestUrlExpression": "x", "httpHeaders": "{\"X-A\": \"1\", \"X-N\": 2}"}"#,
                              kind: .rpc)
        #expect(parsed.headers["X-A"] == ["1"])
        #expect(parsed.headers["X-N"] == ["2"])
    }

    @Test func mistakesNameTheKey() {
        #expect(ruleError(#"{"methodFilter": "m"}"#, kind: .rpc)?.keyPath == "serverSideRpc[0].requestUrlExpression")
        #expect(ruleError(#"{"requestUrlExpression": "x"}"#, kind: .rpc)?.keyPath == "serverSideRpc[0].methodFilter")
        #expect(ruleError(#"{"requestUrlExpression": "x", "methodFilter": "(unclosed"}"#, kind: .rpc)?.keyPath
                == "serverSideRpc[0].methodFilter")
        #expect(ruleError(#"{"requestUrlExpression": "x", "deviceNameFilter": "[a-"}"#, kind: .attributeUpdate)?.keyPath
                == "serverSideRpc[0].deviceNameFilter")
        #expect(ruleError(#"{"requestUrlExpression": "${x", "methodFilter": "m"}"#, kind: .rpc)?.keyPath
                == "serverSideRpc[0].requestUrlExpression")
        #expect(ruleError(#"{"requestUrlExpression": "x", "methodFilter": "m", "timeout": -1}"#, kind: .rpc)?.keyPath
                == "serverSideRpc[0].timeout")
        #expect(ruleError(#"{"requestUrlExpression": "x", "methodFilter": "m", "httpMethod": "GE T"}"#, kind: .rpc)?.keyPath
                == "serverSideRpc[0].httpMethod")
        #expect(ruleError(#"{"requestUrlExpression": "x", "methodFilter": "m", "security": {"type": "oauth"}}"#, kind: .rpc)?.keyPath
                == "serverSideRpc[0].security.type")
        #expect(ruleError(#"{"requestUrlExpression": "x", "methodFilter": "m", "security": {"type": "basic", "username": "u"}}"#,
                          kind: .rpc)?.keyPath == "serverSideRpc[0].security.password")
    }

    @Test func certificateSecurityIsReadNotLoaded() throws {
        // The reference's example paths do not exist here: the config still loads.
        let parsed = try rule("""
            {"methodFilter": "m", "requestUrlExpression": "https://127.0.0.1:5002/",
             "security": {"type": "cert", "cert": "/no/cert.pem", "key": "/no/key.pem"}}
            """, kind: .rpc)
        #expect(parsed.security == .certificate(certificateFile: "/no/cert.pem", keyFile: "/no/key.pem"))
    }

    @Test func pythonNamedGroupsInFilters() throws {
        let filter = try HTTPNameFilter("(?P<kind>SD|SN)-(?P=kind)[0-9]+")
        #expect(filter.matches("SD-SD12"))
        #expect(!filter.matches("SD-SN12"))
        #expect(try HTTPNameFilter("a|ab").matches("ab"), "fullmatch tries every alternative")
    }

    @Test func rulesPickMatchingEntries() throws {
        let rules = try HTTPDownlinkRules(ConfigReader(JSONValue.parse("""
            {"attributeUpdates": [
                {"deviceNameFilter": "SD.*", "attributeFilter": "a.*", "requestUrlExpression": "one"},
                {"deviceNameFilter": ".*", "attributeFilter": "ab", "requestUrlExpression": "two"}],
             "serverSideRpc": [
                {"deviceNameFilter": "SD.*", "methodFilter": "echo", "requestUrlExpression": "first"},
                {"methodFilter": "echo", "requestUrlExpression": "second"}]}
            """), file: "request.json", path: ""))
        #expect(rules.rules(forAttribute: "ab", device: "SD1").map(\.urlTemplate.source) == ["one", "two"])
        #expect(rules.rules(forAttribute: "ab", device: "X").map(\.urlTemplate.source) == ["two"])
        #expect(rules.rules(forAttribute: "b", device: "SD1").isEmpty)
        #expect(rules.rule(forMethod: "echo", device: "SD1")?.urlTemplate.source == "first")
        #expect(rules.rule(forMethod: "echo", device: "X")?.urlTemplate.source == "second")
        #expect(rules.rule(forMethod: "echo2", device: "SD1") == nil)
    }
}

@Suite struct HTTPDownlinkRenderingTests {
    @Test func attributeValuesInBodiesAndURLs() throws {
        let parsed = try rule(#"{"requestUrlExpression": "/set/${attributeKey}/${attributeValue}", "requestValueExpression": "${attributeValue}"}"#,
                              kind: .attributeUpdate)
        func render(_ value: JSONValue) -> (String, String) {
            let request = sender.request(for: parsed, context: DownlinkContext(deviceName: "d", attributeKey: "k y", attributeValue: value))
            return (request.url, String(decoding: request.body ?? [], as: UTF8.self))
        }
        #expect(render(.string("on/off")) == ("http://127.0.0.1:5000/set/k%20y/on/off", "on/off"))
        #expect(render(.bool(true)) == ("http://127.0.0.1:5000/set/k%20y/true", "true"))
        #expect(render(.double(21.5)) == ("http://127.0.0.1:5000/set/k%20y/21.5", "21.5"))
        #expect(render(["a": 1]) == ("http://127.0.0.1:5000/set/k%20y/%7B%22a%22%3A1%7D", #"{"a":1}"#))
    }

    @Test func paramsInURLsArePlainText() throws {
        let parsed = try rule(#"{"methodFilter": "m", "requestUrlExpression": "http://h:1/${params.room}/${methodName}?id=${requestId}"}"#,
                              kind: .rpc)
        let request = sender.request(for: parsed, context: DownlinkContext(deviceName: "d", methodName: "m", requestId: 7,
                                                                           params: ["room": "kitchen"]))
        #expect(request.url == "http://h:1/kitchen/m?id=7")
    }

    @Test func urlsJoinTheBase() {
        #expect(HTTPURL.resolve("getdata", base: "http://h:5000") == "http://h:5000/getdata")
        #expect(HTTPURL.resolve("/getdata", base: "http://h:5000/") == "http://h:5000/getdata")
        #expect(HTTPURL.resolve("HTTPS://other/x", base: "http://h:5000") == "HTTPS://other/x")
        #expect(HTTPURL.resolve("127.0.0.1:5001/x", base: nil) == "http://127.0.0.1:5001/x")
        #expect(HTTPURL.normalizedBase("127.0.0.1:5000") == "http://127.0.0.1:5000")
        #expect(HTTPURL.quote("a b/ü?&=") == "a%20b/%C3%BC%3F%26%3D")
    }
}

@Suite struct HTTPRPCReplyTests {
    private func reply(_ status: Int, _ body: String, expression: String?) throws -> JSONValue {
        var json = #"{"methodFilter": "m", "requestUrlExpression": "x""#
        if let expression { json += #", "responseValueExpression": "\#(expression)""# }
        let parsed = try rule(json + "}", kind: .rpc)
        return HTTPDownlinkSender.rpcReplyData(HTTPReply(status: status, body: Array(body.utf8)), rule: parsed, url: "http://d/x")
    }

    @Test func answersBecomeResults() throws {
        #expect(try reply(200, #"{"temp": 22.5, "hum": 40}"#, expression: "${temp}") == ["result": "22.5"])
        #expect(try reply(200, #"{"temp": 22.5, "hum": 40}"#, expression: "${temp}/${hum}") == ["result": "22.5/40"])
        #expect(try reply(200, #"{"temp": 22.5}"#, expression: nil) == ["result": ["temp": 22.5]])
        #expect(try reply(200, "plain text", expression: nil) == ["result": "plain text"])
        #expect(try reply(200, "plain text", expression: "${temp}") == ["result": "plain text"])
        #expect(try reply(200, #"{"hum": 1}"#, expression: "${temp}")
                == ["error": "responseValueExpression ${temp} found nothing in the answer", "success": false])
        #expect(try reply(503, #"{"e": 1}"#, expression: "${temp}")
                == ["error": "HTTP 503 from http://d/x", "code": 503, "result": ["e": 1]])
    }
}
