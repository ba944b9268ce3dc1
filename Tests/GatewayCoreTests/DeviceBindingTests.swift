@testable import GatewayCore
import GatewayKit
import Logging
import Testing

/// Devices remembered from an earlier run go back to their connector at start, also when two
/// connector files share an `id` (one was copied from the other) or a connector was renamed.
struct DeviceBindingTests {
    @Test func devicesOfConnectorsSharingAnIDStayWithTheirOwnConnector() {
        let registry = DeviceRegistry(file: nil, logger: Logger(label: "test"))
        let plcA = ConnectorIdentity(name: "PLC A", type: "modbus", id: "copied-id")
        let plcB = ConnectorIdentity(name: "PLC B", type: "modbus", id: "copied-id")
        let meters = ConnectorIdentity(name: "Meters", type: "mqtt", id: "meters-id")
        _ = registry.sighting(of: "Pump A", type: "pump", by: plcA)
        _ = registry.sighting(of: "Pump B", type: "pump", by: plcB)
        _ = registry.sighting(of: "Meter 1", type: "meter", by: meters)

        let renamedMeters = ConnectorIdentity(name: "Energy meters", type: "mqtt", id: "meters-id")
        registry.bind(to: [plcB, plcA, renamedMeters])
        #expect(registry.owner(ofThingsBoardName: "Pump A")?.connector == "PLC A")
        #expect(registry.owner(ofThingsBoardName: "Pump B")?.connector == "PLC B")
        #expect(registry.owner(ofThingsBoardName: "Meter 1")?.connector == "Energy meters", "a renamed connector keeps its devices by id")
    }
}
