import Foundation
import GatewayKit
import MQTTConnector
import Testing

/// config/mqtt.json is the example users start from, and the README shows it: both must be the
/// same and valid.
@Test func shippedExampleConfigIsValidAndIsTheREADMEExample() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let file = root.appendingPathComponent("config/mqtt.json")
    let shipped = try JSONValue.parse(String(contentsOf: file, encoding: .utf8))
    let configuration = try MQTTConnectorConfiguration.parse(shipped, file: file.path)
    #expect(configuration.mappings.count == 2)

    let readme = try String(contentsOf: root.appendingPathComponent("Sources/MQTTConnector/README.md"), encoding: .utf8)
    let example = try #require(readme.components(separatedBy: "## Example").dropFirst().first?
        .components(separatedBy: "```json").dropFirst().first?.components(separatedBy: "```").first)
    #expect(try JSONValue.parse(example) == shipped)
}
