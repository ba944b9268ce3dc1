@testable import GatewayCore
import GatewayKit
import Testing
import ThingsBoard

/// Which devices the uplink sends apart after ThingsBoard refused their data, and for how long.
struct RefusedDevicesTests {
    @Test func aDeviceIsRememberedForThePeriodOrUntilAccepted() {
        var devices = RefusedDevices()
        devices.period = .seconds(600)
        let now = ContinuousClock.now
        devices.remember(["Pump 1", "Pump 2"], now: now)
        #expect(devices.contains("Pump 1", now: now + .seconds(599)))
        #expect(!devices.contains("Pump 1", now: now + .seconds(601)))
        devices.forget(["Pump 2"])
        #expect(!devices.contains("Pump 2", now: now))
        #expect(devices.count == 1)
        devices.remember(["Pump 3"], now: now + .seconds(700))  // drops the expired entries
        #expect(devices.count == 1 && devices.contains("Pump 3", now: now + .seconds(700)))
    }

    @Test func theOldestGoFirstBeyondTheCapacity() {
        var devices = RefusedDevices()
        devices.capacity = 2
        let now = ContinuousClock.now
        devices.remember(["a"], now: now)
        devices.remember(["b"], now: now + .seconds(1))
        devices.remember(["c"], now: now + .seconds(2))
        #expect(!devices.contains("a", now: now + .seconds(2)))
        #expect(devices.contains("b", now: now + .seconds(2)) && devices.contains("c", now: now + .seconds(2)))
    }

    @Test func onlyAMessageOfOneDeviceNamesTheRefusedDevice() {
        let builder = GatewayPayloadBuilder(maxPayloadBytes: 65_536)
        let one = builder.messages(for: [ConvertedData(deviceName: "Pump 1", deviceType: "t",
                                                       telemetry: [TelemetryEntry(ts: 1, values: ["v": 1])])])
        #expect(one.map(RefusedDevices.device(of:)) == ["Pump 1"])
        let two = builder.messages(for: ["A", "B"].map {
            ConvertedData(deviceName: $0, deviceType: "t", telemetry: [TelemetryEntry(ts: 1, values: ["v": 1])])
        })
        #expect(two.count == 1 && RefusedDevices.device(of: two[0]) == nil)
        #expect(RefusedDevices.device(of: .connect(device: "Pump 1", type: "t")) == nil)
    }
}
