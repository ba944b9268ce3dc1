import GatewayKit
import ModbusConnector
import Testing

/// Builds value formats the way a user would: a one-device connector config, parsed.
enum ModbusValueTestHelpers {
    static func device(byteOrder: String, wordOrder: String, attributes: [JSONValue] = [],
                       attributeUpdates: [JSONValue] = []) throws -> ModbusDeviceConfiguration {
        let json: JSONValue = ["master": ["slaves": [[
            "deviceName": "Meter", "unitId": 1, "host": "127.0.0.1", "port": 5020,
            "byteOrder": .string(byteOrder), "wordOrder": .string(wordOrder),
            "attributes": .array(attributes), "attributeUpdates": .array(attributeUpdates),
        ]]]]
        let configuration = try ModbusConnectorConfiguration(json: json, file: "modbus.json")
        return try #require(configuration.devices.first)
    }

    /// The format of one read item given as reference config JSON (`type`, `objectsCount`, ...).
    static func readFormat(item: String, functionCode: Int, byteOrder: String,
                           wordOrder: String) throws -> ModbusValueFormat? {
        guard case .object(var object) = try JSONValue.parse(item) else { throw ModbusEncodeError("item") }
        object["tag"] = "value"
        object["functionCode"] = .int(Int64(functionCode))
        object["address"] = 0
        let device = try device(byteOrder: byteOrder, wordOrder: wordOrder, attributes: [.object(object)])
        return device.attributes.first?.format
    }

    static func writeItem(type: String, objectsCount: Int, functionCode: Int, byteOrder: String,
                          wordOrder: String) throws -> ModbusWriteItem {
        let item: JSONValue = ["tag": "value", "type": .string(type), "objectsCount": .int(Int64(objectsCount)),
                               "functionCode": .int(Int64(functionCode)), "address": 0]
        let device = try device(byteOrder: byteOrder, wordOrder: wordOrder, attributeUpdates: [item])
        return try #require(device.attributeUpdates.first)
    }

    /// Doubles compare within rounding noise; integers (up to 2^64 − 1) exactly; an integer is
    /// never equal to a double, as the reference keeps them apart.
    static func same(_ left: JSONValue?, _ right: JSONValue?) -> Bool {
        switch (left, right) {
        case (nil, nil): return true
        case (.double(let a)?, .double(let b)?): return a == b || abs(a - b) <= 1e-12 * max(abs(a), abs(b))
        case (.array(let a)?, .array(let b)?):
            return a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
        default: return left == right
        }
    }
}
