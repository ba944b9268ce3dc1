import Foundation
import GatewayKit
import Testing
import TestSupport

/// The gateway's own services as ThingsBoard uses them: RPCs to the gateway device, device
/// ownership that survives a restart (connected_devices.json), renames and deletes.
@Suite(.serialized, .timeLimit(.minutes(3))) struct GatewayServicesEndToEndTests {
    func deviceRPCReply(_ id: Int64, device: String, rig: MQTTConnectorRig) async -> JSONValue? {
        var reply: JSONValue?
        _ = await waitUntil(timeout: 15) {
            reply = rig.observer.messages(on: "v1/gateway/rpc").compactMap { try? JSONValue.parse($0.payload) }
                .first { $0["id"]?.intValue == id && $0["device"]?.stringValue == device }
            return reply != nil
        }
        return reply
    }

    @Test func gatewayRPCsAnswerInTheReferenceShapes() async throws {
        let rig = try await MQTTConnectorRig(label: "gateway-rpc")
        defer { rig.stop() }
        #expect(await rig.reportData("SN-001"), "no data; gateway log:\n\(rig.gateway.log())")

        // First sight of a device: its connector as client attributes (reference §1.6).
        let connectorAttributes = await waitUntil(timeout: 10) {
            rig.observer.messages(on: "v1/gateway/attributes").contains {
                $0.payload.contains(#""connectorType":"mqtt""#) && $0.payload.contains(#""connectorName":"MQTT Broker Connector""#)
                    && $0.payload.contains("SN-001")
            }
        }
        #expect(connectorAttributes, "\(rig.observer.messages(on: "v1/gateway/attributes"))")

        #expect(try await rig.gatewayRPC(1, method: "gateway_ping") == ["code": 200, "resp": "pong"])
        let devices = try await rig.gatewayRPC(2, method: "gateway_devices")
        #expect(devices?["code"] == 200)
        #expect(devices?["resp"]?["SN-001"] == "MQTT Broker Connector", "\(String(describing: devices))")
        let stats = try #require(try await rig.gatewayRPC(3, method: "gateway_stats"))
        #expect((stats["eventsProduced"]?.intValue ?? 0) >= 1, "\(stats)")
        #expect((stats["MQTTBrokerConnectorEventsProduced"]?.intValue ?? 0) >= 1, "\(stats)")
        // As the reference: "EventsProduced" counts messages received, "EventsSent" events pushed
        // to storage, and the totals are their sums over the connectors.
        #expect((stats["MQTTBrokerConnectorEventsSent"]?.intValue ?? 0) >= 1, "\(stats)")
        if case .object(let fields) = stats {
            let sentPerConnector = fields.filter { $0.key.hasSuffix("EventsSent") && $0.key != "eventsSent" }
                .reduce(Int64(0)) { $0 + ($1.value.intValue ?? 0) }
            #expect(stats["eventsSent"]?.intValue == sentPerConnector, "\(stats)")
        }
        let update = try await rig.gatewayRPC(12, method: "gateway_update")
        #expect(update?["code"] == 200 && (update?["resp"]?.stringValue ?? "").contains("package"), "\(String(describing: update))")
        #expect(try await rig.gatewayRPC(4, method: "gateway_nonsense") == ["error": "Method not found", "code": 404])
        // Only gateway_-prefixed names are the gateway's own methods, as in the reference.
        #expect(try await rig.gatewayRPC(10, method: "restart")
                == ["error": "restart - connector not found in available connectors.", "code": 404])
        let version = try await rig.gatewayRPC(11, method: "gateway_version")
        #expect(version?["resp"]?["current_version"] == "3.8.5", "\(String(describing: version))")

        #expect(try await rig.gatewayRPC(5, method: "opcua_read")
                == ["error": "opcua - connector not found in available connectors.", "code": 404])
        #expect(try await rig.gatewayRPC(6, method: "gateway_remove_provisioned_credentials")
                == ["code": 404, "message": "Provisioned credentials file does not exist."])
        // The remote shell is off unless remoteShell is true.
        let shell = try await rig.gatewayRPC(9, method: "sendCommand", params: #"{"command": "touch /tmp/should-not-exist"}"#)
        #expect(shell?["code"] == 404, "\(String(describing: shell))")
    }

    @Test func deviceOwnershipSurvivesARestartAndRenamesRouteBothWays() async throws {
        let rig = try await MQTTConnectorRig(label: "gateway-devices")
        defer { rig.stop() }
        #expect(await rig.reportData("SN-001"), "no data; gateway log:\n\(rig.gateway.log())")

        // The registry is on disk in the reference's format.
        let file = rig.gateway.configDirectory.appendingPathComponent("connected_devices.json")
        let saved = await waitUntil(timeout: 5) { (try? Data(contentsOf: file)).map { !$0.isEmpty } ?? false }
        #expect(saved)
        let registry = try JSONValue.parse(String(contentsOf: file, encoding: .utf8))
        #expect(registry["SN-001"]?["connectorName"] == "MQTT Broker Connector")
        #expect(registry["SN-001"]?["deviceType"] != nil)
        #expect(registry["SN-001"]?["disconnected"] == false)
        #expect(registry["SN-001"]?["renaming"] == .null)

        // After a restart the device has sent nothing, yet its RPC reaches the MQTT connector at
        // once (the reference answers 408 only for devices it does not know).
        rig.gateway.stop()
        try rig.gateway.start()
        let sessionUp = await waitUntil(timeout: 20) { rig.gateway.log().contains("MQTT connector starting") }
        #expect(sessionUp)
        try await Task.sleep(for: .seconds(1))
        try mosquittoPublish(port: rig.thingsBoard.port, topic: "v1/gateway/rpc",
                             payload: #"{"device":"SN-001","data":{"id":51,"method":"setRelay","params":{"on":true}}}"#)
        let started = ContinuousClock.now
        let reply = await deviceRPCReply(51, device: "SN-001", rig: rig)
        #expect(reply?["data"] == #"{"success": true}"#, "gateway log:\n\(rig.gateway.log())")
        #expect(ContinuousClock.now - started < .seconds(4), "the RPC waited for the device to reappear")

        // ThingsBoard renames SN-001: its data now arrives under the new name, and RPCs for the
        // new name reach the device.
        #expect(try await rig.gatewayRPC(7, method: "gateway_device_renamed", params: #"{"SN-001":"Pump 1"}"#)
                == ["success": true])
        let renamedData = await waitUntil(timeout: 20) {
            try? mosquittoPublish(port: rig.devices.port, topic: "sensor/SN-001/data", payload: #"{"temp": 21}"#)
            return rig.observer.messages(on: "v1/gateway/telemetry").contains { $0.payload.hasPrefix(#"{"Pump 1":"#) }
        }
        #expect(renamedData, "telemetry not published under the new name; gateway log:\n\(rig.gateway.log())")
        try mosquittoPublish(port: rig.thingsBoard.port, topic: "v1/gateway/rpc",
                             payload: #"{"device":"Pump 1","data":{"id":52,"method":"setRelay","params":{"on":false}}}"#)
        #expect(await deviceRPCReply(52, device: "Pump 1", rig: rig)?["data"] == #"{"success": true}"#)
        // The file is saved shortly after a change (DeviceRegistry.saveDelay), off the data path.
        let savedRegistry = { try? JSONValue.parse(String(contentsOf: file, encoding: .utf8)) }
        let renamed = await waitUntil(timeout: 5) { savedRegistry()?["SN-001"]?["renaming"] == "Pump 1" }
        #expect(renamed, "connected_devices.json: \(String(describing: savedRegistry()))")

        // Deleted in ThingsBoard: forgotten by the gateway.
        #expect(try await rig.gatewayRPC(8, method: "gateway_device_deleted", params: #""Pump 1""#) == ["success": true])
        let forgotten = await waitUntil(timeout: 5) { savedRegistry().map { $0["SN-001"] == nil } ?? false }
        #expect(forgotten, "connected_devices.json: \(String(describing: savedRegistry()))")
        // The renamed device exists on ThingsBoard already: its data under the new name needs no
        // connect (and the old name is no longer re-announced on reconnects, which would make
        // ThingsBoard create it anew).
        func connects(of device: String) -> Int {
            rig.observer.messages(on: "v1/gateway/connect").filter { $0.payload.contains(#""device":"\#(device)""#) }.count
        }
        #expect(connects(of: "Pump 1") == 0, "\(rig.observer.messages(on: "v1/gateway/connect"))")
        // After the deletion its next data announces it afresh, with its type, as the reference does.
        let connectsBefore = connects(of: "SN-001")
        let announced = await waitUntil(timeout: 20) {
            try? mosquittoPublish(port: rig.devices.port, topic: "sensor/SN-001/data", payload: #"{"temp": 22}"#)
            return connects(of: "SN-001") > connectsBefore
        }
        #expect(announced, "no connect after the deletion; gateway log:\n\(rig.gateway.log())")
        await rig.responder.stop()
    }

    /// An RPC for a device the gateway has not seen yet goes out as soon as the device appears
    /// (the reference looks again every 100 ms for 5 s; this gateway looked once, after 5 s).
    @Test func anRPCForADeviceNotSeenYetGoesOutWhenItAppears() async throws {
        let rig = try await MQTTConnectorRig(label: "rpc-early")
        defer { rig.stop() }
        #expect(await rig.reportData("SN-001"), "no data; gateway log:\n\(rig.gateway.log())")
        let started = ContinuousClock.now
        try mosquittoPublish(port: rig.thingsBoard.port, topic: "v1/gateway/rpc",
                             payload: #"{"device":"SN-777","data":{"id":61,"method":"setRelay","params":{"on":true}}}"#)
        try await Task.sleep(for: .milliseconds(300))
        try mosquittoPublish(port: rig.devices.port, topic: "sensor/SN-777/data", payload: #"{"temp": 20}"#)
        let reply = await deviceRPCReply(61, device: "SN-777", rig: rig)
        #expect(reply?["data"] == #"{"success": true}"#, "gateway log:\n\(rig.gateway.log())")
        #expect(ContinuousClock.now - started < .seconds(3), "the RPC waited out the 5 s")
        await rig.responder.stop()
    }

    @Test func statisticsAndCustomCommandsArriveAsGatewayTelemetry() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let observer = try BrokerObserver(port: broker.port, topics: ["v1/devices/me/telemetry", "v1/devices/me/attributes"])
        defer { observer.stop() }
        let gateway = try GatewayUnderTest(label: "statistics")
        try gateway.writeMainConfig(port: broker.port, storage: #"{"type": "memory"}"#)
        // The main config turns statistics off; this one turns them on with the shortest period.
        let main = gateway.configDirectory.appendingPathComponent("tb_gateway.json")
        let text = try String(contentsOf: main, encoding: .utf8).replacingOccurrences(
            of: #""statistics": {"enable": false}"#,
            with: #""statistics": {"enable": true, "statsSendPeriodInSeconds": 10, "enableCustom": true, "customStatsSendPeriodInSeconds": 3600, "configuration": "statistics.json"}"#)
        try text.write(to: main, atomically: true, encoding: .utf8)
        try gateway.write("statistics.json", #"[{"attributeOnGateway": "answer", "command": "echo 42", "timeout": 5}, {"attributeOnGateway": "os", "command": ["/bin/echo", "linux box"], "timeout": 5}]"#)
        try gateway.write("simulator.json", """
            {"devices": [{"name": "Boiler 1", "type": "boiler", "periodMs": 100,
              "telemetry": [{"key": "counter", "kind": "counter", "start": 0, "step": 1}]}]}
            """)
        try gateway.start()
        defer { gateway.stop() }

        func telemetry() -> [JSONValue] {
            observer.messages(on: "v1/devices/me/telemetry").compactMap { try? JSONValue.parse($0.payload) }
        }
        let custom = await waitUntil(timeout: 15) { telemetry().contains { $0["answer"] != nil } }
        #expect(custom, "no custom statistics; gateway log:\n\(gateway.log())")
        // A number is sent as a float, as the reference does (`float(output)`).
        #expect(telemetry().contains { $0["answer"] == 42.0 && $0["os"] == "linux box" }, "\(telemetry())")
        let machine = observer.messages(on: "v1/devices/me/attributes").compactMap { try? JSONValue.parse($0.payload) }
        #expect(machine.contains { $0["cpuCount"]?.intValue ?? 0 >= 1 && $0["totalMemory"] != nil })

        // As the reference, the first report goes out at start, then one every period (10 s here).
        func reports() -> [JSONValue] { telemetry().filter { $0["machineStats"] != nil } }
        let first = await waitUntil(timeout: 5) { !reports().isEmpty }
        #expect(first, "no statistics report at start; gateway log:\n\(gateway.log())")
        let periodic = await waitUntil(timeout: 25) { reports().count >= 2 }
        #expect(periodic, "no second statistics report; gateway log:\n\(gateway.log())")
        let stats = try #require(reports().last)
        let memoryInfo = stats["machineStats"]?["gwProcessMemoryFullInfo"]
        for key in ["rss", "vms", "shared", "text", "lib", "data", "dirty", "uss", "pss", "swap"] {
            #expect(memoryInfo?[key]?.intValue != nil, "psutil's memory_full_info key \(key): \(String(describing: memoryInfo))")
        }
        // As the reference: the process's share of the machine's RAM, and the 15-minute load per
        // core, both in percent.
        let gwMemory = stats["machineStats"]?["gwMemory"]?.doubleValue ?? -1
        let rssBytes = Double(stats["machineStats"]?["gwProcessMemoryFullInfo"]?["rss"]?.intValue ?? 0)
        let memTotalKiB = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("MemTotal:") }?
            .split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
        #expect(memTotalKiB > 0 && abs(gwMemory - rssBytes / (memTotalKiB * 1024) * 100) < 0.11, "\(stats)")
        #expect((stats["machineStats"]?["totalCpuUsage"]?.doubleValue ?? -1) >= 0, "\(stats)")
        #expect((stats["machineStats"]?["msgsSentToPlatform"]?.intValue ?? 0) > 0)
        let simulator = try #require(stats["connectorsStats"]?["Simulator"])
        #expect((simulator["storageMsgPushed"]?.intValue ?? 0) > 10, "\(simulator)")
        // The reference's keys, each counted: one counter value per reading; attributes at most the
        // two connector attributes sent on the device's first sight.
        #expect((simulator["convertersTsProduced"]?.intValue ?? 0) > 10, "\(simulator)")
        #expect((simulator["convertersAttrProduced"]?.intValue ?? -1) <= 2, "\(simulator)")
        #expect((stats["serviceStats"]?["platformTsProduced"]?.intValue ?? 0) > 10, "\(stats)")
        await responder.stop()
    }

    @Test func silentDevicesAreReportedDisconnectedAndActiveOnesAreNot() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let observer = try BrokerObserver(port: broker.port, topics: ["v1/gateway/connect", "v1/gateway/disconnect"])
        defer { observer.stop() }
        let gateway = try GatewayUnderTest(label: "inactivity")
        try gateway.writeMainConfig(
            port: broker.port, storage: #"{"type": "memory"}"#,
            extraThingsBoard: #", "checkingDeviceActivity": {"checkDeviceInactivity": true, "inactivityTimeoutSeconds": 2, "inactivityCheckPeriodSeconds": 1}"#)
        // "Quiet" sends three readings and stops; "Busy" keeps sending.
        try gateway.write("simulator.json", """
            {"devices": [{"name": "Quiet", "type": "sim", "periodMs": 100, "maxReadings": 3,
                          "telemetry": [{"key": "n", "kind": "counter", "start": 0, "step": 1}]},
                         {"name": "Busy", "type": "sim", "periodMs": 100,
                          "telemetry": [{"key": "n", "kind": "counter", "start": 0, "step": 1}]}]}
            """)
        try gateway.start()
        defer { gateway.stop() }
        let disconnected = await waitUntil(timeout: 20) {
            observer.messages(on: "v1/gateway/disconnect").contains { $0.payload == #"{"device":"Quiet"}"# }
        }
        #expect(disconnected, "gateway log:\n\(gateway.log())")
        try await Task.sleep(for: .seconds(3))
        #expect(!observer.messages(on: "v1/gateway/disconnect").contains { $0.payload.contains("Busy") })
        await responder.stop()
    }

    @Test func devicesDeniedByTheFilterFileNeverReachThingsBoard() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let observer = try BrokerObserver(port: broker.port, topics: ["v1/gateway/telemetry", "v1/gateway/connect"])
        defer { observer.stop() }
        let gateway = try GatewayUnderTest(label: "device-filter")
        try gateway.writeMainConfig(port: broker.port, storage: #"{"type": "memory"}"#,
                                    extraThingsBoard: #", "deviceFiltering": {"enable": true, "filterFile": "list.json"}"#)
        try gateway.write("list.json", #"{"deny": {"Simulator": ["Secret.*"]}, "allow": {}}"#)
        try gateway.write("simulator.json", """
            {"devices": [{"name": "Secret Pump", "type": "sim", "periodMs": 100,
                          "telemetry": [{"key": "n", "kind": "counter", "start": 0, "step": 1}]},
                         {"name": "Open Pump", "type": "sim", "periodMs": 100,
                          "telemetry": [{"key": "n", "kind": "counter", "start": 0, "step": 1}]}]}
            """)
        try gateway.start()
        defer { gateway.stop() }
        let open = await waitUntil(timeout: 30) { readings(of: "Open Pump", key: "n", in: observer.messages()).count >= 10 }
        #expect(open, "gateway log:\n\(gateway.log())")
        #expect(readings(of: "Secret Pump", key: "n", in: observer.messages()).isEmpty)
        #expect(!observer.messages().contains { $0.payload.contains("Secret Pump") })
        await responder.stop()
    }

    @Test func theRemoteShellRunsCommandsOnlyWhenEnabled() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let observer = try BrokerObserver(port: broker.port, topics: ["v1/devices/me/rpc/response/+", "v1/gateway/telemetry"])
        defer { observer.stop() }
        let gateway = try GatewayUnderTest(label: "remote-shell")
        try gateway.writeMainConfig(port: broker.port, storage: #"{"type": "memory"}"#, extraThingsBoard: #", "remoteShell": true"#)
        try gateway.write("simulator.json", GatewayUnderTest.counterSimulator(device: "Alpha"))
        try gateway.start()
        defer { gateway.stop() }
        func rpc(_ id: Int, _ method: String, _ params: String = "{}") async throws -> JSONValue? {
            try await gatewayDeviceRPC(id, method: method, params: params, brokerPort: broker.port, observer: observer, timeout: 15)
        }
        let up = await waitUntil(timeout: 30) { readings(of: "Alpha", key: "counter", in: observer.messages()).count >= 3 }
        #expect(up, "gateway log:\n\(gateway.log())")
        let info = try await rpc(1, "getTermInfo")
        #expect(info?["platform"] == "Linux", "gateway log:\n\(gateway.log())")
        #expect(try await rpc(2, "sendCommand", #"{"command": "echo hello; echo oops >&2; pwd", "cwd": "/tmp"}"#) == ["ok": true])
        var stdout = "", stderr = "", done = false
        for attempt in 0..<20 where !done {
            let status = try #require(try await rpc(10 + attempt, "getCommandStatus"))
            stdout += status["data"]?.arrayValue?.first?["stdout"]?.stringValue ?? ""
            stderr += status["data"]?.arrayValue?.first?["stderr"]?.stringValue ?? ""
            done = status["done"] == true
            if !done { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(done)
        #expect(stdout == "hello\n/tmp\n", "\(stdout)")
        #expect(stderr == "oops\n")
        // terminateCommand stops a long command (its SIGTERM is ignored: the gateway's own disposition).
        #expect(try await rpc(40, "sendCommand", #"{"command": "sleep 60"}"#) == ["ok": true])
        #expect(try await rpc(41, "getCommandStatus")?["done"] == false)
        #expect(try await rpc(42, "terminateCommand") == ["ok": true])
        var stopped = false
        for attempt in 0..<25 where !stopped {
            stopped = try await rpc(50 + attempt, "getCommandStatus")?["done"] == true
            if !stopped { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(stopped, "sleep 60 still running after terminateCommand; gateway log:\n\(gateway.log())")
        #expect(try await rpc(80, "sendCommand", #"{"command": "true"}"#) == ["ok": true], "the next command may start")
        await responder.stop()
    }
}
