import Foundation
import GatewayKit
@testable import RESTConnector
import Testing
import TestSupport

/// `requestsMapping`: attribute request endpoints answered from ThingsBoard, and attribute
/// updates / RPCs delivered to a real device server (Tests/Peers/rest_device.py).
@Suite(.serialized) struct RequestsMappingTests {
    static func config(devicePort: Int) -> String {
        """
        {"server": {"host": "127.0.0.1", "port": 0},
         "mapping": [],
         "requestsMapping": {
           "attributeRequests": [
             {"endpoint": "/sharedAttributes", "type": "shared", "HTTPMethods": ["POST"], "timeout": 2,
              "deviceNameExpression": "${deviceName}", "attributeNameExpression": "${attribute}${attribute1}"},
             {"endpoint": "/clientAttributes", "type": "client", "HTTPMethods": ["GET"], "timeout": 0.3,
              "deviceNameExpression": "${device}", "attributeNameExpression": "${key}"}],
           "attributeUpdates": [
             {"HTTPMethod": "POST", "deviceNameFilter": "SN.*", "attributeFilter": ".*",
              "httpHeaders": {"Content-Type": "application/json"}, "timeout": 2, "tries": 2,
              "requestUrlExpression": "http://127.0.0.1:\(devicePort)/attributes/${deviceName}",
              "valueExpression": "{\\"deviceName\\":\\"${deviceName}\\",\\"${attributeKey}\\":\\"${attributeValue}\\"}"}],
           "serverSideRpc": [
             {"deviceNameFilter": ".*", "methodFilter": "echo", "HTTPMethod": "POST", "responseTimeout": 3,
              "requestUrlExpression": "127.0.0.1:\(devicePort)/rpc/${deviceName}/${methodName}/${restId}",
              "valueExpression": "${params}", "httpHeaders": {"Content-Type": "application/json"}}]
         }}
        """
    }

    /// Tests/Peers/rest_device.py on a free port; fails (never skips) without the peers' venv.
    static func startDevice() async throws -> (PeerProcess, port: Int) {
        _ = try PythonPeer.python()
        let port = freeTCPPort()
        let device = try PythonPeer.start("rest_device.py", arguments: ["\(port)"],
                                          logFile: try makeScratchDirectory("rest-device").appendingPathComponent("device.log"))
        let listening = await waitUntil(timeout: 10) { isTCPPortOpen(port) }
        guard listening else {
            device.stop()
            throw TestFailure("rest_device.py did not start: \(device.output())")
        }
        return (device, port)
    }

    @Test func attributeRequestEndpointsReturnThingsBoardsAttributes() async throws {
        let context = RecordingContext(attributes: ["SN-1": ["mode": "eco", "limit": 7, "other": true]])
        let running = try await RunningRESTConnector.start(try json(Self.config(devicePort: 9)), context: context)
        let both = try await httpRequest(.POST, running.baseURL + "/sharedAttributes",
                                         body: #"{"deviceName": "SN-1", "attribute": "mode", "attribute1": "limit"}"#,
                                         headers: [("Content-Type", "application/json")])
        #expect(both.status == 200)
        #expect(try json(both.body) == json(#"{"device": "SN-1", "values": {"mode": "eco", "limit": 7}}"#))
        let one = try await httpRequest(.GET, running.baseURL + "/clientAttributes?device=SN-1&key=mode")
        #expect(one.status == 200)
        #expect(try json(one.body) == json(#"{"device": "SN-1", "value": "eco"}"#))
        let requests = await context.attributeRequests
        #expect(requests == [AttributeRequest(deviceName: "SN-1", keys: ["mode", "limit"], clientScope: false),
                             AttributeRequest(deviceName: "SN-1", keys: ["mode"], clientScope: true)])
        // ThingsBoard does not answer for an unknown device: 408 after the endpoint's timeout.
        let unknown = try await httpRequest(.GET, running.baseURL + "/clientAttributes?device=nobody&key=mode")
        #expect(unknown.status == 408)
        let noName = try await httpRequest(.GET, running.baseURL + "/clientAttributes?key=mode")
        #expect(noName.status == 400)
        try await running.stop()
    }

    @Test func attributeUpdatesAndRPCsReachTheDeviceServer() async throws {
        let (device, devicePort) = try await Self.startDevice()
        defer { device.stop() }
        let running = try await RunningRESTConnector.start(try json(Self.config(devicePort: devicePort)))

        await running.connector.handleAttributeUpdate(AttributeUpdate(deviceName: "SN-7", values: ["mode": "eco"]))
        await running.connector.handleAttributeUpdate(AttributeUpdate(deviceName: "other", values: ["mode": "x"]))
        let reply = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "SN-7", id: 42, method: "echo",
                                                                       params: ["a": 1], timeout: .seconds(5)))
        #expect(reply["result"]?["path"] == "/rpc/SN-7/echo/42")
        #expect(reply["result"]?["body"] == ["a": 1])
        let unknown = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "SN-7", id: 43, method: "nope",
                                                                         params: .null))
        #expect(unknown["code"] == 404)

        let log = try await httpRequest(.GET, "http://127.0.0.1:\(devicePort)/_received")
        let entries = try #require(try json(log.body).arrayValue)
        #expect(entries.count == 2)
        #expect(entries.first?["path"] == "/attributes/SN-7")
        #expect(entries.first?["method"] == "POST")
        #expect(entries.first?["body"] == ["deviceName": "SN-7", "mode": "eco"])
        #expect(entries.last?["path"] == "/rpc/SN-7/echo/42")
        try await running.stop()
    }

    /// Reserved `get` / `set` (reference §1.7): no entry needed, the params text is the request.
    @Test func reservedGetAndSetAreSentAsTheirParamsDescribe() async throws {
        let (device, devicePort) = try await Self.startDevice()
        defer { device.stop() }
        // No serverSideRpc entry at all: reserved RPCs need none.
        let running = try await RunningRESTConnector.start(try json(#"{"server": {"host": "127.0.0.1", "port": 0}, "mapping": []}"#))

        let set = await running.connector.handleRPC(DeviceRPCRequest(
            deviceName: "SN-7", id: 1, method: "rest_set",
            params: .string(#"requestUrlExpression=http://127.0.0.1:\#(devicePort)/reserved/${deviceName};HTTPMethod=POST;value={"on": true};"#)))
        #expect(set["result"]?["path"] == "/reserved/SN-7")
        #expect(set["result"]?["body"] == ["on": true])
        // GET by default, no body without `value`; a relative URL gets http://.
        let get = await running.connector.handleRPC(DeviceRPCRequest(
            deviceName: "SN-7", id: 2, method: "get",
            params: .string("requestUrlExpression=127.0.0.1:\(devicePort)/reserved/${deviceName}/state;")))
        #expect(get["result"]?["method"] == "GET")
        #expect(get["result"]?["path"] == "/reserved/SN-7/state")
        #expect(get["result"]?["body"] == .null)

        let objectParams = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "SN-7", id: 3, method: "get",
                                                                              params: ["requestUrlExpression": "x"]))
        #expect(objectParams["code"] == 400)
        let noURL = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "SN-7", id: 4, method: "set",
                                                                       params: "HTTPMethod=POST;value=1;"))
        #expect(noURL["code"] == 400)
        let badMethod = await running.connector.handleRPC(DeviceRPCRequest(
            deviceName: "SN-7", id: 5, method: "set", params: .string("requestUrlExpression=127.0.0.1:\(devicePort)/x;HTTPMethod=P O;")))
        #expect(badMethod["code"] == 400)

        let log = try await httpRequest(.GET, "http://127.0.0.1:\(devicePort)/_received")
        let entries = try #require(try json(log.body).arrayValue)
        #expect(entries.map { $0["method"] } == ["POST", "GET"], "refused RPCs send nothing")
        #expect(entries.first?["contentType"] == .null, "no httpHeaders in the params: none sent")
        try await running.stop()
    }
}
