import AsyncHTTPClient
import Foundation
import GatewayKit
import NIOCore
import NIOHTTP1
@testable import RESTConnector
import Testing
import TestSupport

/// Devices push over real HTTP (AsyncHTTPClient, and curl once); the test checks what reaches
/// the gateway (`context.send`) and what the device gets back.
@Suite(.serialized) struct UplinkServerTests {
    static let config = """
    {"server": {"host": "127.0.0.1", "port": 0},
     "mapping": [
       {"endpoint": "/my_devices", "HTTPMethods": ["POST"], "security": {"type": "anonymous"},
        "response": {"successResponse": "OK", "unsuccessfulResponse": "Error"},
        "converter": {"type": "json",
          "deviceInfo": {"deviceNameExpressionSource": "request", "deviceNameExpression": "${sensorName}",
                         "deviceProfileExpressionSource": "request", "deviceProfileExpression": "${sensorType}"},
          "attributes": [{"type": "string", "key": "model", "value": "${sensorModel}"}],
          "timeseries": [{"type": "double", "key": "temperature", "value": "${temp}"},
                         {"type": "double", "key": "humidity", "value": "${hum}"}]}},
       {"endpoint": "/secure", "HTTPMethods": ["POST", "PUT"],
        "security": {"type": "basic", "username": "user", "password": "passwd"},
        "converter": {"type": "json",
          "deviceInfo": {"deviceNameExpressionSource": "constant", "deviceNameExpression": "Secure Device"},
          "timeseries": [{"type": "int", "key": "count", "value": "${count}"}]}},
       {"endpoint": "/devices/{name}", "HTTPMethods": ["GET", "POST"],
        "converter": {"type": "json",
          "deviceInfo": {"deviceNameExpressionSource": "request", "deviceNameExpression": "${name}"},
          "timeseries": [{"type": "double", "key": "level", "value": "${level}"}]}},
       {"endpoint": "/bytes", "HTTPMethods": ["POST"],
        "converter": {"type": "custom", "extension": "CustomRestUplinkConverter",
          "deviceInfo": {"deviceNameExpressionSource": "constant", "deviceNameExpression": "SuperAnonDevice"},
          "extensionConfig": {"key": "Totaliser", "datatype": "float", "fromByte": 0, "toByte": 4,
                              "byteorder": "big", "signed": true, "multiplier": 0.5}}}
     ]}
    """

    @Test func postedJSONBecomesDeviceReadingsAndTheSuccessResponse() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let reply = try await httpRequest(.POST, running.baseURL + "/my_devices",
                                          body: #"{"sensorName": "SN-1", "sensorType": "thermo", "sensorModel": "T1", "temp": 21.5, "hum": "40"}"#,
                                          headers: [("Content-Type", "application/json")])
        #expect(reply.status == 200)
        #expect(reply.body == "OK")
        let received = await running.context.received
        try #require(received.count == 1)
        #expect(received[0].deviceName == "SN-1")
        #expect(received[0].deviceType == "thermo")
        #expect(received[0].attributes == ["model": "T1"])
        #expect(received[0].telemetry.count == 1)
        #expect(received[0].telemetry[0].values == ["temperature": 21.5, "humidity": 40.0])
        #expect(running.connector.traffic()?.messagesIn == 1)
        try await running.stop()
    }

    @Test func anArrayBodyGivesOneRecordPerElement() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let reply = try await httpRequest(.POST, running.baseURL + "/my_devices",
                                          body: #"[{"sensorName": "A", "temp": 1}, {"sensorName": "B", "temp": 2}]"#,
                                          headers: [("Content-Type", "application/json")])
        #expect(reply.status == 200)
        let received = await running.context.received
        #expect(received.map(\.deviceName) == ["A", "B"])
        #expect(received.map { $0.telemetry.first?.values["temperature"] } == [1.0, 2.0])
        try await running.stop()
    }

    @Test func basicAuthRefusesMissingAndWrongCredentials() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let url = running.baseURL + "/secure"
        let missing = try await httpRequest(.POST, url, body: #"{"count": 1}"#)
        #expect(missing.status == 401)
        #expect(missing.headers["WWW-Authenticate"].first?.hasPrefix("Basic realm=") == true)
        let wrong = try await httpRequest(.POST, url, body: #"{"count": 2}"#, headers: [basicAuthorization("user", "nope")])
        #expect(wrong.status == 401)
        let good = try await httpRequest(.PUT, url, body: #"{"count": 3}"#, headers: [basicAuthorization("user", "passwd")])
        #expect(good.status == 200)
        let received = await running.context.received
        #expect(received.map { $0.telemetry.first?.values["count"] } == [3])
        try await running.stop()
    }

    @Test func wrongMethodIs405WithAllowAndUnknownPathIs404() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let wrong = try await httpRequest(.GET, running.baseURL + "/my_devices")
        #expect(wrong.status == 405)
        #expect(wrong.body == "Error")
        #expect(wrong.headers["Allow"] == ["POST"])
        let unknown = try await httpRequest(.POST, running.baseURL + "/nothing", body: "{}")
        #expect(unknown.status == 404)
        #expect(unknown.body.contains("/my_devices"))
        #expect(await running.context.received.isEmpty)
        try await running.stop()
    }

    @Test func unsupportedContentTypeIs415() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let binary = try await httpRequest(.POST, running.baseURL + "/devices/pump", body: "\u{01}\u{02}binary",
                                           headers: [("Content-Type", "application/octet-stream")])
        #expect(binary.status == 415)
        #expect(binary.body.contains("application/octet-stream"))
        let multipart = try await httpRequest(.POST, running.baseURL + "/devices/pump", body: "--x\r\n",
                                              headers: [("Content-Type", "multipart/form-data; boundary=x")])
        #expect(multipart.status == 415)
        #expect(await running.context.received.isEmpty)
        try await running.stop()
    }

    @Test func malformedJSONIs400AndTheNextGoodRequestStillWorks() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let bad = try await httpRequest(.POST, running.baseURL + "/devices/pump", body: #"{"level": 4"#,
                                        headers: [("Content-Type", "application/json")])
        #expect(bad.status == 400)
        #expect(bad.body.contains("not valid JSON"))
        let scalar = try await httpRequest(.POST, running.baseURL + "/devices/pump", body: "42",
                                           headers: [("Content-Type", "application/json")])
        #expect(scalar.status == 400)
        #expect(scalar.body.contains("expected an object"))
        let good = try await httpRequest(.POST, running.baseURL + "/devices/pump", body: #"{"level": 4}"#,
                                         headers: [("Content-Type", "application/json")])
        #expect(good.status == 200)
        let received = await running.context.received
        #expect(received.map(\.deviceName) == ["pump"])
        #expect(running.connector.traffic()?.errors == 2)
        try await running.stop()
    }

    @Test func pathVariablesQueryParametersAndFormFieldsAreRequestData() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let get = try await httpRequest(.GET, running.baseURL + "/devices/tank%201?level=7.5")
        #expect(get.status == 200)
        let form = try await httpRequest(.POST, running.baseURL + "/devices/tank2", body: "level=3&other=x+y",
                                         headers: [("Content-Type", "application/x-www-form-urlencoded")])
        #expect(form.status == 200)
        let empty = try await httpRequest(.GET, running.baseURL + "/devices/tank3")
        #expect(empty.status == 200) // the path variable is data; nothing to send without level
        let received = await running.context.received
        #expect(received.map(\.deviceName) == ["tank 1", "tank2"])
        #expect(received.map { $0.telemetry.first?.values["level"] } == [7.5, 3.0])
        try await running.stop()
    }

    @Test func conversionFailureIs500WithUnsuccessfulResponseAndSendsNothing() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        // The second element has no sensorName: no device name, so nothing of the request is sent.
        let reply = try await httpRequest(.POST, running.baseURL + "/my_devices",
                                          body: #"[{"sensorName": "A", "temp": 1}, {"temp": 2}]"#,
                                          headers: [("Content-Type", "application/json")])
        #expect(reply.status == 500)
        #expect(reply.body == "Error")
        #expect(await running.context.received.isEmpty)
        await running.context.reject(with: "storage full")
        let refused = try await httpRequest(.POST, running.baseURL + "/my_devices", body: #"{"sensorName": "A", "temp": 1}"#)
        #expect(refused.status == 500)
        try await running.stop()
    }

    @Test func customByteConverterReadsTheRawBody() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        var request = HTTPClientRequest(url: running.baseURL + "/bytes")
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFE, 0x00]))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status.code == 200)
        let received = await running.context.received
        try #require(received.count == 1)
        #expect(received[0].deviceName == "SuperAnonDevice")
        #expect(received[0].telemetry[0].values == ["Totaliser": -1.0])
        try await running.stop()
    }

    /// A JSON request its mapping cannot convert (no device name) gets 500, and the converter
    /// logger (the reference's `<connector>_converter`) says why; the connector's log does not.
    @Test func anUnconvertibleRequestIsLoggedByTheConverterLogger() async throws {
        let connectorLog = LogRecorder()
        let converterLog = LogRecorder()
        let running = try await RunningRESTConnector.start(try json(Self.config), logger: connectorLog.logger("rest"),
                                                           converterLogger: converterLog.logger("rest_converter"))
        let reply = try await httpRequest(.POST, running.baseURL + "/my_devices", body: #"{"temp": 1}"#,
                                          headers: [("Content-Type", "application/json")])
        try await running.stop()
        #expect(reply.status == 500)
        #expect(converterLog.lines.contains { $0.hasPrefix("ERROR REST request failed: cannot convert the request: no device name") },
                "\(converterLog.lines)")
        #expect(!connectorLog.lines.contains { $0.contains("no device name") }, "\(connectorLog.lines)")
    }

    /// Eight unsigned bytes reach 2^64 − 1 (Python's `int.from_bytes`): every digit is kept.
    @Test func customByteConverterKeepsUnsigned64BitIntegersWhole() async throws {
        let config = """
            {"server": {"host": "127.0.0.1", "port": 0},
             "mapping": [{"endpoint": "/counter", "HTTPMethods": ["POST"],
               "converter": {"type": "custom", "extension": "CustomRestUplinkConverter",
                 "deviceInfo": {"deviceNameExpressionSource": "constant", "deviceNameExpression": "Meter"},
                 "extensionConfig": {"key": "energy", "fromByte": 0, "toByte": 8, "byteorder": "big", "signed": false}}}]}
            """
        let running = try await RunningRESTConnector.start(try json(config))
        for body: [UInt8] in [[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE], [0, 0, 0, 0, 0, 0, 0x01, 0x00]] {
            var request = HTTPClientRequest(url: running.baseURL + "/counter")
            request.method = .POST
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(response.status.code == 200)
        }
        let received = await running.context.received
        #expect(received.map { $0.telemetry.first.map { JSONValue.object($0.values).jsonString } } == [#"{"energy":18446744073709551614}"#, #"{"energy":256}"#])
        try await running.stop()

        // Scaled, the result is still an integer while one can hold it (2^64 × 0.5 = 2^63).
        let halved = try await RunningRESTConnector.start(try json(config.replacingOccurrences(of: #""signed": false"#,
                                                                                              with: #""signed": false, "multiplier": 0.5"#)))
        var request = HTTPClientRequest(url: halved.baseURL + "/counter")
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: [UInt8](repeating: 0xFF, count: 8)))
        #expect(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code == 200)
        #expect(await halved.context.received.first?.telemetry.first?.values == ["energy": .uint(1 << 63)])
        try await halved.stop()
    }

    @Test func curlPostsJSON() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let curl = try PeerProcess.resolve("curl")
        let log = try makeScratchDirectory("rest-curl").appendingPathComponent("curl.log")
        let process = try PeerProcess(executable: curl, arguments: [
            "-s", "-w", "\\nstatus=%{http_code}", "-X", "POST",
            "-H", "Content-Type: application/json",
            "--data", #"{"sensorName": "curl-1", "temp": 19}"#, running.baseURL + "/my_devices",
        ], logFile: log)
        let finished = await waitUntil(timeout: 10) { !process.isRunning }
        #expect(finished)
        #expect(process.output().contains("OK\nstatus=200"))
        #expect(await running.context.received.map(\.deviceName) == ["curl-1"])
        try await running.stop()
    }

    @Test func stoppingClosesThePort() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        try await running.stop()
        #expect(!isTCPPortOpen(running.port))
    }
}
