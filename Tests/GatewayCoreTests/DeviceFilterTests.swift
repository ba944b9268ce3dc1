import Foundation
@testable import GatewayCore
import Testing

/// The reference's own list.json decides as the reference does: deny first (full match), then
/// allow, default allow; a broken filter file is refused with its name and key.
@Suite struct DeviceFilterTests {
    static let compat = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/compat/reference-configs")

    @Test func theReferenceListDecidesLikeTheReference() throws {
        let filter = try DeviceFilter(file: Self.compat.appendingPathComponent("list.json").path)
        #expect(!filter.allows("Temperature Device", from: "MQTT Broker Connector"))
        #expect(!filter.allows("someone@example.com", from: "MQTT Broker Connector"))
        #expect(filter.allows("Temperature Device 2", from: "MQTT Broker Connector"), "patterns match whole names only")
        #expect(filter.allows("My Temperature Sensor", from: "MQTT Broker Connector"))
        #expect(filter.allows("Anything Else", from: "MQTT Broker Connector"), "the default is allow")
        #expect(!filter.allows("My Modbus Device", from: "Modbus Connector"))
        #expect(filter.allows("Temperature Device", from: "Modbus Connector"), "lists are per connector")
    }

    @Test func aBrokenFilterFileNamesWhatIsWrong() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("list-\(UUID().uuidString).json")
        try #"{"deny": {"C": ["(unclosed"]}}"#.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            _ = try DeviceFilter(file: file.path)
        } throws: { error in
            "\(error)".contains("deny.C") && "\(error)".contains("(unclosed")
        }
    }
}
