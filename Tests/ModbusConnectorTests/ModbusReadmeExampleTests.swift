import Foundation
import GatewayKit
import ModbusConnector
import Testing

/// The connector README's example is a working configuration: it parses, and means what the
/// README says it does.
@Suite struct ModbusReadmeExampleTests {
    @Test func theReadmeExampleParses() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/ModbusConnector/README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let example = try #require(text.components(separatedBy: "## Example").dropFirst().first?
            .components(separatedBy: "```json").dropFirst().first?.components(separatedBy: "```").first)
        let configuration = try ModbusConnectorConfiguration(json: JSONValue.parse(example), file: "README.md")
        let device = try #require(configuration.devices.first)
        #expect(configuration.warnings.isEmpty, "\(configuration.warnings)")
        #expect(device.deviceName == "Boiler 7")
        #expect(device.readItems.map(\.key) == ["serial", "temperature", "energy", "pumpOn"])
        #expect(device.attributeUpdate(forKey: "setpoint")?.functionCode == 6)
        #expect(device.rpcItem(forMethod: "getSetpoint")?.isRead == true)
        #expect(device.pollPeriod == .seconds(1))
        #expect(device.timeout == .seconds(3))
    }
}
