import Foundation
import GatewayKit
import Testing
import TestSupport
@testable import SocketConnector

/// The connector against real TCP devices (Python sockets, Tests/Peers/socket_device.py).
@Suite(.serialized) struct TCPDeviceTests {
    @Test func telemetryAndAttributesFromEachRead() async throws {
        let running = try await RunningConnector.start(devicesJSON: RunningConnector.referenceDevices)
        let device = try DeviceProcess.start("tcp-telemetry", port: running.port,
                                             steps: ["send:21.5", "sleep:0.3", "send:30.1"])
        #expect(await device.waitForExit(), "\(device.log)")
        #expect(await waitUntil(timeout: 10) { await running.context.received.count == 2 }, "\(device.log)")
        let received = await running.context.received
        #expect(received.map(\.deviceName) == ["Device Example", "Device Example"])
        #expect(received.flatMap { $0.telemetry.map(\.values) } == [["temp": "21.5", "hum": "21"], ["temp": "30.1", "hum": "30"]])
        #expect(received.map(\.attributes) == [["name": "21.5", "num": ".5"], ["name": "30.1", "num": ".1"]])
        let statistics = running.connector.statistics.snapshot
        #expect(statistics.messagesReceived == 2 && statistics.bytesReceived == 8 && statistics.readingsSent == 2)
        try await running.stop()
    }

    /// A read never holds more than `bufferSize` bytes: 10 bytes with bufferSize 4 are three
    /// messages (as the reference's recv(bufferSize) gives them).
    @Test func readsAreAtMostBufferSize() async throws {
        let running = try await RunningConnector.start(devicesJSON: """
            [{"address": "*:*", "deviceName": "D", "telemetry": [{"key": "raw", "byteFrom": 0, "byteTo": -1}]}]
            """, bufferSize: 4)
        let device = try DeviceProcess.start("tcp-buffer", port: running.port, steps: ["send:0123456789", "sleep:0.3"])
        #expect(await device.waitForExit(), "\(device.log)")
        #expect(await waitUntil(timeout: 5) { await running.context.telemetry.count == 3 })
        let values = await running.context.telemetry.compactMap { $0["raw"]?.stringValue }
        #expect(values.joined() == "0123456789")
        #expect(values.allSatisfy { $0.utf8.count <= 4 })
        try await running.stop()
    }

    @Test func unknownPeersAreDroppedAndCounted() async throws {
        let knownPort = freeTCPPort()
        let running = try await RunningConnector.start(devicesJSON: """
            [{"address": "127.0.0.1:\(knownPort)", "deviceName": "Known", "telemetry": [{"key": "v", "byteFrom": 0, "byteTo": -1}]}]
            """)
        let stranger = try DeviceProcess.start("tcp-stranger", port: running.port, steps: ["send:intruder", "sleep:0.2", "send:again"])
        #expect(await stranger.waitForExit(), "\(stranger.log)")
        let known = try DeviceProcess.start("tcp-known", port: running.port, bindPort: knownPort, steps: ["send:7"])
        #expect(await known.waitForExit(), "\(known.log)")
        #expect(await waitUntil(timeout: 10) { await running.context.received.count == 1 }, "\(known.log)")
        #expect(await waitUntil(timeout: 5) { running.connector.statistics.snapshot.unknownPeerMessages == 2 })
        #expect(await running.context.received.map(\.deviceName) == ["Known"])
        #expect(await running.context.telemetry == [["v": "7"]])
        try await running.stop()
    }

    /// "atrsharedName" asks ThingsBoard for the shared attribute `sharedName`; the device gets
    /// the answer as the reference writes it (`json.dumps(value)`), and nothing is sent as a reading.
    @Test func attributeRequestIsAnsweredToTheDevice() async throws {
        let context = RecordingContext(attributes: ["Device Example": ["sharedName": "hello", "other": 1]])
        let running = try await RunningConnector.start(devicesJSON: RunningConnector.referenceDevices, context: context)
        let device = try DeviceProcess.start("tcp-attr-request", port: running.port, steps: ["send:atrsharedName\n", "recv"])
        #expect(await device.waitForExit(), "\(device.log)")
        #expect(device.chunks == [Array(#""hello""#.utf8)])
        #expect(await context.attributeRequests == [AttributeRequest(deviceName: "Device Example", keys: ["sharedName"], clientScope: false)])
        #expect(await context.received.isEmpty)
        try await running.stop()
    }

    /// The reference config writes `sharedName` updates in UTF-16 (BOM + little endian).
    @Test func attributeUpdateIsWrittenWithItsEncoding() async throws {
        let running = try await RunningConnector.start(devicesJSON: RunningConnector.referenceDevices)
        let device = try DeviceProcess.start("tcp-attr-update", port: running.port, linger: 10, steps: ["send:hi"])
        #expect(await waitUntil(timeout: 10) { await running.context.received.count == 1 }, "\(device.log)")
        #expect(running.connector.sharedAttributeKeys(of: "Device Example") == ["sharedName"])
        await running.connector.handleAttributeUpdate(AttributeUpdate(deviceName: "Device Example",
                                                                      values: ["sharedName": "Ωk", "unmapped": 1]))
        #expect(await waitUntil(timeout: 5) { !device.chunks.isEmpty })
        #expect(device.chunks.first == [0xFF, 0xFE, 0xA9, 0x03, 0x6B, 0x00])
        device.process.stop()
        try await running.stop()
    }

    /// withResponse: the params go to the device, its next message is the RPC's result (and
    /// not a reading).
    @Test func rpcWithResponseReturnsTheDevicesAnswer() async throws {
        let running = try await RunningConnector.start(devicesJSON: RunningConnector.referenceDevices)
        let device = try DeviceProcess.start("tcp-rpc", port: running.port, linger: 10, steps: ["send:hi", "reply:pong"])
        #expect(await waitUntil(timeout: 10) { await running.context.received.count == 1 }, "\(device.log)")
        let reply = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "Device Example", id: 7, method: "rpcMethod1",
                                                                       params: "ping", timeout: .seconds(5)))
        #expect(reply == ["result": "pong"])
        #expect(device.chunks == [Array("ping".utf8)])
        try await Task.sleep(for: .milliseconds(200))
        #expect(await running.context.received.count == 1, "the answer is not a reading")

        let oneWay = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "Device Example", id: 8, method: "oneWay",
                                                                        params: ["a": 1], timeout: .seconds(5)))
        #expect(oneWay == ["success": true])
        #expect(await waitUntil(timeout: 5) { device.chunks.count == 2 })
        #expect(device.chunks.last == Array("{'a': 1}".utf8), "params written as Python's str()")

        let silent = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "Device Example", id: 9, method: "rpcMethod1",
                                                                        params: "anyone?", timeout: .milliseconds(500)))
        #expect(silent["code"] == 408)
        #expect(running.connector.statistics.snapshot.rpcTimeouts == 1)

        let unknown = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "Device Example", id: 10, method: "nope",
                                                                         params: nil))
        #expect(unknown["code"] == 404)
        device.process.stop()
        try await running.stop()
    }

    /// The reference's `set` (also as `socket_set`): value written to address:port.
    @Test func setWritesToTheGivenAddress() async throws {
        let running = try await RunningConnector.start(devicesJSON: RunningConnector.referenceDevices)
        let devicePort = freeTCPPort()
        let device = try DeviceProcess.start("tcp-set", port: running.port, bindPort: devicePort, linger: 10, steps: ["send:hi"])
        #expect(await waitUntil(timeout: 10) { await running.context.received.count == 1 }, "\(device.log)")
        let reply = await running.connector.handleRPC(DeviceRPCRequest(
            deviceName: "Device Example", id: 1, method: "socket_set", params: .string("address=127.0.0.1;port=\(devicePort);value=on")))
        #expect(reply == ["result": "ok"])
        #expect(await waitUntil(timeout: 5) { device.chunks == [Array("on".utf8)] })
        // Sent to the gateway itself, the method arrives as sent (`socket_set`), as the gateway routes it.
        #expect(await running.connector.handleConnectorRPC(method: "socket_set", params: "address=127.0.0.1;value=x")
                == ["result": "Not enough params"])
        #expect(await running.connector.handleConnectorRPC(method: "socket_get", params: "")["code"] == 404)
        #expect(await running.connector.handleConnectorRPC(method: "set", params: "address=127.0.0.1;port=p;value=x")
                == ["result": "Param \"port\" have to be int type"])
        device.process.stop()
        try await running.stop()
    }

    @Test func manyClientsAtOnce() async throws {
        let running = try await RunningConnector.start(devicesJSON: """
            [{"address": "127.0.0.1:*", "deviceName": "Many", "telemetry": [{"key": "v", "byteFrom": 0, "byteTo": -1}]}]
            """)
        let directory = try makeScratchDirectory("socket-many")
        let clients = try PythonPeer.start("socket_many_clients.py", arguments: ["--port", "\(running.port)", "--clients", "40",
                                                                                "--messages", "3"],
                                           logFile: directory.appendingPathComponent("clients.log"))
        #expect(await waitUntil(timeout: 20) { !clients.isRunning }, "\(clients.output())")
        // One message is one read (see the README): on a loaded machine two sends of a client
        // can arrive in one read, so the test counts the ";"-terminated messages inside them.
        @Sendable func messages(_ context: RecordingContext) async -> [String] {
            await context.telemetry.compactMap { $0["v"]?.stringValue }.flatMap { $0.split(separator: ";").map(String.init) }
        }
        #expect(await waitUntil(timeout: 10) { await messages(running.context).count == 120 })
        let values = Set(await messages(running.context))
        let expected = Set((0..<40).flatMap { client in (0..<3).map { "c\(client):\($0)" } })
        #expect(values == expected)
        #expect(await waitUntil(timeout: 5) { running.connector.statistics.snapshot.connectionsOpen == 0 })
        #expect(running.connector.statistics.snapshot.connectionsAccepted == 40)
        try await running.stop()
    }

    /// A device that resets its connection mid-way: its data so far is kept, writes to it fail
    /// cleanly, other devices go on.
    @Test func clientDisconnectingMidway() async throws {
        let running = try await RunningConnector.start(devicesJSON: RunningConnector.referenceDevices)
        let quitter = try DeviceProcess.start("tcp-reset", port: running.port, steps: ["send:first", "sleep:0.2", "reset"])
        #expect(await quitter.waitForExit(), "\(quitter.log)")
        #expect(await waitUntil(timeout: 5) { running.connector.statistics.snapshot.connectionsOpen == 0 })
        await running.connector.handleAttributeUpdate(AttributeUpdate(deviceName: "Device Example", values: ["sharedName": "x"]))
        #expect(running.connector.statistics.snapshot.writeFailures == 1)
        let next = try DeviceProcess.start("tcp-after-reset", port: running.port, steps: ["send:second"])
        #expect(await next.waitForExit(), "\(next.log)")
        #expect(await waitUntil(timeout: 10) { await running.context.received.count == 2 }, "\(next.log)")
        #expect(await running.context.telemetry.compactMap { $0["temp"]?.stringValue } == ["first", "second"])
        try await running.stop()
    }
}
