import Foundation
import GatewayKit
import SimulatorConnector
import Testing

/// config/simulator.json is what users copy first: it must be valid and say what the tests expect.
@Test func shippedConfigFileMatchesTheDocumentedExample() throws {
    let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/simulator.json")
    let document = try jsonValue(JSONSerialization.jsonObject(with: Data(contentsOf: url)))
    let fromFile = try SimulatorConfiguration.parse(document, file: url.path)
    let expected = try SimulatorConfiguration.parse(shippedExample, file: "literal")
    #expect(fromFile == expected)
}

/// Test-only bridge from Foundation's parser (GatewayKit's own parser is not relied on here).
/// Whole numbers become `.int`, which the configuration reader accepts wherever a number is.
private func jsonValue(_ any: Any) throws -> JSONValue {
    switch any {
    case let string as String: return .string(string)
    case let number as NSNumber:
        let double = number.doubleValue
        return double.rounded() == double && abs(double) < 1e15 ? .int(Int64(double)) : .double(double)
    case let array as [Any]: return .array(try array.map(jsonValue))
    case let object as [String: Any]:
        // Key order is lost here; the simulator does not depend on it except for telemetry
        // entries, whose order lives in arrays.
        var result: JSONObject = [:]
        for (key, value) in object { result[key] = try jsonValue(value) }
        return .object(result)
    case is NSNull: return .null
    default: throw CocoaError(.coderInvalidValue)
    }
}
