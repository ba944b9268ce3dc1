import Foundation
import GatewayKit
import RESTConnector
import Testing

/// The README's example config must stay valid.
@Test func readmeExampleConfigIsValid() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let readme = try String(contentsOf: root.appendingPathComponent("Sources/RESTConnector/README.md"), encoding: .utf8)
    let example = try #require(readme.components(separatedBy: "## Example").dropFirst().first?
        .components(separatedBy: "```json").dropFirst().first?.components(separatedBy: "```").first)
    let configuration = try RESTConnectorConfiguration.parse(try JSONValue.parse(example), file: "README.md")
    #expect(configuration.endpoints.map(\.path) == ["/my_devices", "/sharedAttributes"])
}
