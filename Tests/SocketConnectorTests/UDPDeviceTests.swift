import Foundation
import GatewayKit
import Testing
import TestSupport
@testable import SocketConnector

/// The connector as a UDP server, against real UDP devices.
@Suite(.serialized) struct UDPDeviceTests {
    @Test func eachDatagramIsOneMessage() async throws {
        let running = try await RunningConnector.start(transport: "UDP", devicesJSON: RunningConnector.referenceDevices)
        let device = try DeviceProcess.start("udp-telemetry", proto: "udp", port: running.port,
                                             steps: ["send:21.5", "send:22.5", "send:23.5"])
        #expect(await device.waitForExit(), "\(device.log)")
        #expect(await waitUntil(timeout: 5) { await running.context.received.count == 3 })
        #expect(await running.context.telemetry.compactMap { $0["temp"]?.stringValue } == ["21.5", "22.5", "23.5"])
        try await running.stop()
    }

    /// Answers go back from the server's own port, to the port the device sent from.
    @Test func attributeRequestAndUpdateGoBackToThePeer() async throws {
        let context = RecordingContext(attributes: ["Device Example": ["sharedName": 42]])
        let running = try await RunningConnector.start(transport: "UDP", devicesJSON: RunningConnector.referenceDevices,
                                                       context: context)
        let device = try DeviceProcess.start("udp-attr", proto: "udp", port: running.port, linger: 10,
                                             steps: ["send:atrsharedName", "recv", "send:7"])
        #expect(await waitUntil(timeout: 5) { await running.context.received.count == 1 })
        #expect(device.chunks == [Array("42".utf8)])
        await running.connector.handleAttributeUpdate(AttributeUpdate(deviceName: "Device Example", values: ["sharedName": true]))
        #expect(await waitUntil(timeout: 5) { device.chunks.count == 2 })
        #expect(device.chunks.last == [0xFF, 0xFE] + Array("True".utf8).flatMap { [$0, 0] })
        device.process.stop()
        try await running.stop()
    }
}
