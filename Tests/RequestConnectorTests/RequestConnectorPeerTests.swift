import Foundation
import GatewayKit
import HTTPConnectorKit
import RequestConnector
import TestSupport
import Testing

/// The connector against a real HTTP device (Tests/Peers/request_device.py).
@Suite(.serialized) struct RequestConnectorPeerTests {
    private func config(_ peer: RequestDevicePeer, _ body: String) throws -> JSONValue {
        try JSONValue.parse(#"{"host": "\#(peer.baseURL)", \#(body)}"#)
    }

    @Test func pollingProducesDeviceReadings() async throws {
        let peer = try await RequestDevicePeer()
        defer { peer.stop() }
        let running = try RunningConnector(config(peer, """
            "mapping": [{"url": "getdata", "scanPeriod": 0.2, "timeout": 2,
              "converter": {"type": "json", "deviceNameJsonExpression": "Meter ${serial}", "deviceTypeJsonExpression": "SD",
                "attributes": [{"key": "serialNumber", "type": "string", "value": "${serial}"}],
                "telemetry": [{"key": "temperature", "type": "double", "value": "${temp}"},
                              {"key": "combine", "type": "string", "value": "${Developer}:${hum}"}]}}]
            """))
        #expect(await running.context.waitFor { $0.received.count >= 2 })
        await running.stop()
        let first = try #require(await running.context.received.first)
        #expect(first.deviceName == "Meter SN-001")
        #expect(first.deviceType == "SD")
        #expect(first.attributes == ["serialNumber": "SN-001"])
        #expect(first.telemetry.count == 1)
        #expect(first.telemetry.first?.values == ["temperature": 21.5, "combine": "Alice:41"])
        let statistics = running.connector.statistics.snapshot
        #expect(statistics.pollsAnswered >= 2)
        #expect(statistics.pollFailures == 0)
    }

    @Test func arraysAndDataUnpackExpressionGiveOneDevicePerRecord() async throws {
        let peer = try await RequestDevicePeer()
        defer { peer.stop() }
        let running = try RunningConnector(config(peer, """
            "mapping": [
              {"url": "/wrapped", "scanPeriod": 60, "dataUnpackExpression": "result.devices",
               "converter": {"deviceNameJsonExpression": "${name}", "telemetry": [{"key": "t", "type": "double", "value": "${t}"}]}},
              {"url": "/devices", "scanPeriod": 60,
               "subRequests": {"extra": {"url": "/${id}/extra"}},
               "converter": {"deviceNameJsonExpression": "${id}-${type}", "deviceTypeJsonExpression": "GridVis",
                 "attributes": [{"key": "serialNr", "type": "string", "value": "${serialNr}"}],
                 "telemetry": [{"key": "extra", "type": "int", "value": "${extra}"}]}}]
            """))
        #expect(await running.context.waitFor { $0.received.count >= 4 })
        await running.stop()
        let context = running.context
        #expect(await context.received(device: "W1").first?.telemetry.first?.values == ["t": 1.5])
        #expect(await context.received(device: "W2").first?.telemetry.first?.values == ["t": 2.5])
        let meter = try #require(await context.received(device: "2-meter").first)
        #expect(meter.deviceType == "GridVis")
        #expect(meter.attributes == ["serialNr": "B2"])
        #expect(meter.telemetry.first?.values == ["extra": 20], "the sub-request's answer is mapped with the record")
        #expect(await context.received(device: "1-meter").first?.telemetry.first?.values == ["extra": 10])
    }

    @Test func basicAuthentication() async throws {
        let peer = try await RequestDevicePeer(user: "user", password: "s3cret")
        defer { peer.stop() }
        let mapping = """
            "mapping": [{"url": "/secure/data", "scanPeriod": 0.2,
              "converter": {"deviceNameJsonExpression": "${name}", "telemetry": [{"key": "power", "type": "int", "value": "${power}"}]}}]
            """
        let good = try RunningConnector(config(peer, #""security": {"type": "basic", "username": "user", "password": "s3cret"}, "# + mapping))
        #expect(await good.context.waitFor { !$0.received.isEmpty })
        await good.stop()
        #expect(await good.context.received.first == ConvertedData(
            deviceName: "Secure Meter", telemetry: [TelemetryEntry(ts: try #require(await good.context.received.first?.telemetry.first?.ts),
                                                                   values: ["power": 7])]))

        let bad = try RunningConnector(config(peer, #""security": {"type": "basic", "username": "user", "password": "wrong"}, "# + mapping))
        #expect(await waitUntil(timeout: 5, { bad.connector.statistics.snapshot.pollFailures >= 2 }))
        await bad.stop()
        #expect(await bad.context.received.isEmpty)
        #expect(bad.connector.statistics.snapshot.pollsAnswered == 0, "401 is a failure, not data")
    }

    /// Each mapping polls on its own task: a 3 s endpoint does not hold up a 0.1 s one, and its
    /// own ticks are skipped (and counted) while its poll runs, never queued.
    @Test func slowEndpointDoesNotDelayAFastOne() async throws {
        let peer = try await RequestDevicePeer()
        defer { peer.stop() }
        let running = try RunningConnector(config(peer, """
            "mapping": [
              {"url": "/slow?delay=2", "scanPeriod": 0.2, "timeout": 5,
               "converter": {"deviceNameJsonExpression": "Slow", "telemetry": [{"key": "slow", "value": "${slow}"}]}},
              {"url": "/fast", "scanPeriod": 0.1, "timeout": 1,
               "converter": {"deviceNameJsonExpression": "Fast", "telemetry": [{"key": "tick", "type": "int", "value": "${tick}"}]}}]
            """))
        let start = ContinuousClock.now
        #expect(await running.context.waitFor(timeout: .seconds(5)) { $0.received(device: "Fast").count >= 8 })
        let fastDone = ContinuousClock.now - start
        #expect(fastDone < .seconds(1.9), "8 fast polls must not wait for the 2 s slow answer (took \(fastDone))")
        #expect(await running.context.received(device: "Slow").isEmpty)
        #expect(await running.context.waitFor(timeout: .seconds(5)) { !$0.received(device: "Slow").isEmpty })
        await running.stop()
        let statistics = running.connector.statistics.snapshot
        #expect(statistics.skippedTicks >= 5, "the slow mapping's ticks during its 2 s poll are skipped")
        let counts = try await peer.counts()
        #expect(counts["/slow"]?.intValue == 1 || counts["/slow"]?.intValue == 2, "polls of one mapping never overlap")
    }

    /// Nothing listens: failures are counted; once the device is up the readings come.
    @Test func deadEndpointIsCountedThenRecovers() async throws {
        let port = freeTCPPort()
        let running = try RunningConnector(JSONValue.parse("""
            {"host": "http://127.0.0.1:\(port)", "mapping": [{"url": "getdata", "scanPeriod": 0.1, "timeout": 0.3,
              "converter": {"deviceNameJsonExpression": "${serial}", "telemetry": [{"key": "hum", "type": "int", "value": "${hum}"}]}}]}
            """))
        #expect(await waitUntil(timeout: 5, { running.connector.statistics.snapshot.pollFailures >= 3 }))
        #expect(await running.context.received.isEmpty)
        let peer = try await RequestDevicePeer(port: port)
        defer { peer.stop() }
        #expect(await running.context.waitFor(timeout: .seconds(5)) { !$0.received.isEmpty })
        await running.stop()
        #expect(await running.context.received.first?.deviceName == "SN-001")
        #expect(running.connector.statistics.snapshot.pollsAnswered >= 1)
    }

    @Test func errorStatusAndBadJSONAreCounted() async throws {
        let peer = try await RequestDevicePeer()
        defer { peer.stop() }
        let running = try RunningConnector(config(peer, """
            "mapping": [
              {"url": "/status/503", "scanPeriod": 0.1, "converter": {"deviceNameJsonExpression": "A", "telemetry": "*"}},
              {"url": "/notjson", "scanPeriod": 0.1, "converter": {"deviceNameJsonExpression": "B", "telemetry": "*"}}]
            """))
        #expect(await waitUntil(timeout: 5, { running.connector.statistics.snapshot.pollFailures >= 4 }))
        await running.stop()
        #expect(await running.context.received.isEmpty)
        #expect(running.connector.traffic()?.errors ?? 0 >= 4)
    }

    /// An answer the converter cannot read is the converter logger's (once per burst) and counts
    /// as a failed poll; it is not taken for the mapping working again after failed fetches.
    @Test func anAnswerThatDoesNotConvertGoesToTheConverterLoggerAndIsNoRecovery() async throws {
        let peer = try await RequestDevicePeer()
        defer { peer.stop() }
        let connectorLog = LogRecorder()
        let converterLog = LogRecorder()
        let running = try RunningConnector(config(peer, """
            "mapping": [{"url": "/failthen/notjson", "scanPeriod": 0.1,
                         "converter": {"deviceNameJsonExpression": "B", "telemetry": "*"}}]
            """), logger: connectorLog.logger("request"), converterLogger: converterLog.logger("request_converter"))
        // Two 503s, then answers that are not JSON.
        #expect(await waitUntil(timeout: 5, { running.connector.statistics.snapshot.pollFailures >= 6 }))
        await running.stop()
        #expect(connectorLog.lines.filter { $0.contains("failed: HTTP 503") }.count == 1, "\(connectorLog.lines)")
        #expect(!connectorLog.lines.contains { $0.contains("works again") || $0.contains("converter") }, "\(connectorLog.lines)")
        let notConverted = converterLog.lines.filter { $0.contains("not (fully) converted") }
        #expect(notConverted.count == 1 && notConverted.allSatisfy { $0.hasPrefix("WARNING ") && $0.contains("json converter") },
                "\(converterLog.lines)")
    }

    /// The reference's CustomRequestUplinkConverter configuration, end to end.
    @Test func builtInHexConverter() async throws {
        let peer = try await RequestDevicePeer()
        defer { peer.stop() }
        var document = try referenceConfig("request.json")
        guard case .object(var root) = document, case .array(var mappings)? = root["mapping"],
              case .object(var hex) = mappings[1] else { Issue.record("unexpected reference config"); return }
        hex["url"] = "hex"
        hex["scanPeriod"] = 0.2
        hex["timeout"] = 2
        mappings = [.object(hex)]
        root["mapping"] = .array(mappings)
        root["host"] = .string(peer.baseURL)
        document = .object(root)
        let running = try RunningConnector(document)
        #expect(await running.context.waitFor { !$0.received.isEmpty })
        await running.stop()
        let values = try #require(await running.context.received.first?.telemetry.first?.values)
        #expect(values == ["Totaliser": 25.0, "Flow": 1.5, "Temperature": -2.0, "Pressure": 10.0,
                           "deviceStatus": 11, "OUT2": 1, "OUT1": 1])
    }
}

/// Attribute updates and RPCs reach the device as HTTP requests.
@Suite(.serialized) struct RequestDownlinkPeerTests {
    private func connector(_ peer: RequestDevicePeer, extra: String = "") throws -> RunningConnector {
        try RunningConnector(JSONValue.parse("""
            {"host": "\(peer.baseURL)", "security": {"type": "basic", "username": "user", "password": "password"},
             "mapping": [],
             "attributeUpdates": [{"httpMethod": "POST", "httpHeaders": {"Content-Type": "application/json"},
               "timeout": 2, "tries": 3, "deviceNameFilter": "SD.*", "attributeFilter": "send_.*",
               "requestUrlExpression": "sensor/${deviceName}/${attributeKey}",
               "requestValueExpression": "{\\"${attributeKey}\\":\\"${attributeValue}\\"}"}],
             "serverSideRpc": [
               {"deviceNameFilter": ".*", "methodFilter": "echo", "requestUrlExpression": "sensor/${deviceName}/request/${methodName}/${requestId}",
                "responseTimeout": 3, "httpMethod": "GET", "responseValueExpression": "${temp}", "timeout": 2},
               {"deviceNameFilter": ".*", "methodFilter": "raw", "requestUrlExpression": "sensor/${deviceName}/raw",
                "httpMethod": "POST", "requestValueExpression": "${params}", "timeout": 2},
               {"deviceNameFilter": ".*", "methodFilter": "slow", "requestUrlExpression": "/slow?delay=3",
                "responseTimeout": 0.5, "timeout": 5},
               {"deviceNameFilter": ".*", "methodFilter": "broken", "requestUrlExpression": "/status/500", "timeout": 2}\(extra)]}
            """))
    }

    @Test func attributeUpdateLandsOnTheDeviceURL() async throws {
        let peer = try await RequestDevicePeer()
        defer { peer.stop() }
        let running = try connector(peer)
        await running.connector.handleAttributeUpdate(AttributeUpdate(
            deviceName: "SD 8500", values: ["send_data": 5, "ignored": "x", "send_mode": "eco"]))
        await running.stop()
        let received = try await peer.received()
        #expect(received.count == 2, "only the keys the attributeFilter matches are written")
        #expect(received.first?["method"] == "POST")
        #expect(received.first?["path"] == "/sensor/SD%208500/send_data")
        #expect(received.first?["body"] == #"{"send_data":"5"}"#)
        #expect(received.first?["contentType"] == "application/json")
        #expect(received.first?["authorization"] == "Basic dXNlcjpwYXNzd29yZA==", "the root security applies")
        #expect(received.last?["body"] == #"{"send_mode":"eco"}"#)
        #expect(running.connector.statistics.snapshot.attributeWrites == 2)
        #expect(running.connector.statistics.snapshot.attributeWriteFailures == 0)
    }

    @Test func twoWayRPCReturnsTheDevicesReply() async throws {
        let peer = try await RequestDevicePeer()
        defer { peer.stop() }
        let running = try connector(peer)
        let echo = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "SD8500", id: 17, method: "echo", params: .null))
        #expect(echo == ["result": "22.5"])
        let raw = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "SD8500", id: 18, method: "raw",
                                                                     params: ["speed": 3]))
        #expect(raw == ["result": ["ok": true, "temp": 22.5, "received": ["speed": 3]]])
        let received = try await peer.received()
        #expect(received.first?["path"] == "/sensor/SD8500/request/echo/17")
        #expect(received.last?["body"] == #"{"speed":3}"#)
        await running.stop()
    }

    @Test func rpcFailuresAnswerThingsBoard() async throws {
        let peer = try await RequestDevicePeer()
        defer { peer.stop() }
        let running = try connector(peer)
        let start = ContinuousClock.now
        let slow = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "SD8500", id: 1, method: "slow", params: .null))
        #expect(slow == ["result": "RPC timeout", "success": false])
        #expect(ContinuousClock.now - start < .seconds(2), "responseTimeout 0.5 s bounds the wait")
        let broken = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "SD8500", id: 2, method: "broken", params: .null))
        #expect(broken["code"] == 500)
        let unknown = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "SD8500", id: 3, method: "nope", params: .null))
        #expect(unknown["code"] == 404)
        await running.stop()
        #expect(running.connector.statistics.snapshot.rpcFailures == 3)
    }

    @Test func reservedAndConnectorRPCs() async throws {
        let peer = try await RequestDevicePeer()
        defer { peer.stop() }
        let running = try connector(peer)
        let set = await running.connector.handleRPC(DeviceRPCRequest(
            deviceName: "SD8500", id: 5, method: "set",
            params: "requestUrlExpression=sensor/${deviceName}/set;httpMethod=POST;value={\"v\": ${params}};responseValueExpression=${ok};"))
        #expect(set == ["result": "True"])
        let connectorRPC = await running.connector.handleConnectorRPC(method: "get", params: [
            "requestUrlExpression": .string("\(peer.baseURL)/sensor/gw/get"), "responseValueExpression": "${temp}"])
        #expect(connectorRPC == [["result": "22.5"]])
        let received = try await peer.received()
        #expect(received.first?["path"] == "/sensor/SD8500/set")
        #expect(received.first?["method"] == "POST")
        await running.stop()
    }
}
