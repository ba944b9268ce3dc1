import GatewayKit

/// A data area of the gateway's own Modbus server (keys of `slave.values`).
public enum ModbusServerArea: String, Sendable, Hashable, CaseIterable {
    case coils = "coils_initializer"
    case discreteInputs = "discrete_inputs"
    case holdingRegisters = "holding_registers"
    case inputRegisters = "input_registers"

    /// The read function code the server is polled with for this area.
    public var readFunctionCode: UInt8 {
        switch self {
        case .coils: 1
        case .discreteInputs: 2
        case .holdingRegisters: 3
        case .inputRegisters: 4
        }
    }

    var holdsBits: Bool { self == .coils || self == .discreteInputs }
}

/// `slave.identity`: what the server reports for Read Device Identification.
public struct ModbusServerIdentity: Sendable, Hashable {
    public var vendorName: String
    public var productCode: String
    public var vendorURL: String
    public var productName: String
    public var modelName: String
}

/// One initial value of the server (`slave.values.<area>.<section>[i]`), already encoded.
public struct ModbusServerValue: Sendable {
    public var area: ModbusServerArea
    /// attributes, timeseries, attributeUpdates or rpc.
    public var section: String
    public var key: String
    public var address: UInt16
    public var format: ModbusValueFormat
    public var value: JSONValue
    /// The registers or coils placed at `address`.
    public var payload: ModbusWritePayload
}

/// The `slave` section: a Modbus server run by the gateway, initialised from `values`. In the
/// reference it runs only when `sendDataToThingsBoard` is true, and is then also polled as a
/// device named `deviceName` (see `device`).
public struct ModbusServerConfiguration: Sendable {
    public var connection: ModbusConnectionSettings
    public var unitId: UInt8
    public var deviceName: String
    public var deviceType: String
    public var pollPeriod: Duration
    public var byteOrder: ModbusOrder
    public var wordOrder: ModbusOrder
    public var identity: ModbusServerIdentity?
    /// `security {certfile, keyfile, password}`: serve over TLS.
    public var security: ModbusTLSSettings?
    public var sendDataToThingsBoard: Bool
    public var values: [ModbusServerValue]
    /// The server seen as a polled device: `values` attributes/timeseries read with their
    /// area's function code, attributeUpdates/rpc with their own (reference
    /// `get_slave_config_format`).
    public var device: ModbusDeviceConfiguration

    public init(_ reader: ConfigReader, warnings: inout [String]) throws(ConfigError) {
        connection = try ModbusConnectionSettings(reader, tlsKey: "security", defaultHost: "0.0.0.0", defaultPort: 502)
        unitId = UInt8(try reader.int("unitId", default: 0, in: 0 ... 255))
        deviceName = try reader.string("deviceName", default: "Modbus Slave")
        deviceType = try reader.string("deviceType", default: "default")
        let period = try reader.int64("pollPeriod", default: 5000, in: 1 ... Int64(Int32.max))
        pollPeriod = .milliseconds(period)
        byteOrder = ModbusOrder(configValue: try reader.string("byteOrder", default: "LITTLE"))
        wordOrder = ModbusOrder(configValue: try reader.string("wordOrder", default: "LITTLE"))
        sendDataToThingsBoard = try reader.bool("sendDataToThingsBoard", default: false)
        if let identityReader = try reader.child("identity"), !identityReader.object.isEmpty {
            let modelName = try identityReader.string("ModelName")
            let lowerModelName = try identityReader.string("modelName")
            identity = ModbusServerIdentity(
                vendorName: try identityReader.string("vendorName") ?? "",
                productCode: try identityReader.string("productCode") ?? "",
                vendorURL: try identityReader.string("vendorUrl") ?? "",
                productName: try identityReader.string("productName") ?? "",
                modelName: modelName ?? lowerModelName ?? "")
        } else {
            identity = nil
        }
        if let securityReader = try reader.child("security"), !securityReader.object.isEmpty {
            security = try ModbusTLSSettings(securityReader)
        } else {
            security = nil
        }
        let context = ModbusItemContext(unitId: unitId, byteOrder: byteOrder, wordOrder: wordOrder,
                                        repack: try reader.bool("repack", default: false))
        let sections = try Self.sections(reader)
        var values: [ModbusServerValue] = []
        var pollItems: [String: [JSONValue]] = [:]
        for (area, sectionReader) in sections {
            for section in ["attributes", "timeseries", "attributeUpdates", "rpc"] {
                for item in try sectionReader.objects(section) {
                    guard let value = try Self.value(item, area: area, section: section, context: context,
                                                     warnings: &warnings) else { continue }
                    values.append(value)
                    var entry = item.object
                    if section == "attributes" || section == "timeseries" {
                        entry["functionCode"] = .int(Int64(area.readFunctionCode))
                    }
                    pollItems[section, default: []].append(.object(entry))
                }
            }
        }
        self.values = values
        var deviceObject = reader.object
        deviceObject["values"] = nil
        deviceObject["deviceName"] = .string(deviceName)
        deviceObject["deviceType"] = .string(deviceType)
        deviceObject["pollPeriod"] = .int(period)
        deviceObject["unitId"] = .int(Int64(unitId))
        for (section, items) in pollItems { deviceObject[section] = .array(items) }
        let deviceReader = try ConfigReader(.object(deviceObject), file: reader.file, path: reader.path)
        var ignored: [String] = []   // the items were checked above; their warnings are already in
        device = try ModbusDeviceConfiguration(deviceReader, warnings: &ignored)
    }

    /// `values`: area → sections object; older configs give a list of section objects per area.
    private static func sections(_ reader: ConfigReader) throws(ConfigError) -> [(ModbusServerArea, ConfigReader)] {
        guard let values = try reader.child("values") else { return [] }
        var result: [(ModbusServerArea, ConfigReader)] = []
        for (key, value) in values.object {
            guard let area = ModbusServerArea(rawValue: key) else {
                throw values.failure(key, expected: "one of " + ModbusServerArea.allCases.map { "\"\($0.rawValue)\"" }
                    .joined(separator: ", "), found: .string(key))
            }
            if case .array(let parts) = value {
                var merged = JSONObject()
                for (index, part) in parts.enumerated() {
                    let partReader = try ConfigReader(part, file: reader.file, path: "\(values.keyPath(key))[\(index)]")
                    for (section, content) in partReader.object { merged[section] = content }
                }
                result.append((area, try ConfigReader(.object(merged), file: reader.file, path: values.keyPath(key))))
            } else if let areaReader = try values.child(key) {
                result.append((area, areaReader))
            }
        }
        return result
    }

    private static func value(_ item: ConfigReader, area: ModbusServerArea, section: String,
                              context: ModbusItemContext, warnings: inout [String]) throws(ConfigError) -> ModbusServerValue? {
        let tag = try item.string("tag", default: nil)
        guard let format = try context.format(item, typeFallback: tag, warnings: &warnings) else { return nil }
        let address = try context.address(item, count: format.objectsCount)
        let value = try item.required("value", expected: "the initial value")
        // The reference initialises with the single-object write for objectsCount 1, else the
        // multiple-object one.
        let single = format.objectsCount <= 1
        let functionCode: UInt8 = area.holdsBits ? (single ? 5 : 15) : (single ? 6 : 16)
        do {
            let payload = try ModbusWritePayload(functionCode: functionCode, format: format, value: value)
            return ModbusServerValue(area: area, section: section, key: tag, address: address, format: format,
                                     value: value, payload: payload)
        } catch {
            throw item.failure("value", expected: "a value \(format.typeName) can hold (\(error.message))", found: value)
        }
    }

    /// The server's four data areas, each sized to cover its highest initialised address.
    public func initialAreas() -> (coils: [Bool], discreteInputs: [Bool], holdingRegisters: [UInt16],
                                   inputRegisters: [UInt16]) {
        var coils: [Bool] = [], discrete: [Bool] = [], holding: [UInt16] = [], input: [UInt16] = []
        func place<T>(_ items: [T], at address: UInt16, into area: inout [T], filler: T) {
            let end = Int(address) + items.count
            if area.count < end { area += [T](repeating: filler, count: end - area.count) }
            for (offset, item) in items.enumerated() { area[Int(address) + offset] = item }
        }
        for value in values {
            switch (value.area, value.payload) {
            case (.coils, .coil(let bit)): place([bit], at: value.address, into: &coils, filler: false)
            case (.coils, .coils(let bits)): place(bits, at: value.address, into: &coils, filler: false)
            case (.discreteInputs, .coil(let bit)): place([bit], at: value.address, into: &discrete, filler: false)
            case (.discreteInputs, .coils(let bits)): place(bits, at: value.address, into: &discrete, filler: false)
            case (.holdingRegisters, .register(let word)): place([word], at: value.address, into: &holding, filler: 0)
            case (.holdingRegisters, .registers(let words)): place(words, at: value.address, into: &holding, filler: 0)
            case (.inputRegisters, .register(let word)): place([word], at: value.address, into: &input, filler: 0)
            case (.inputRegisters, .registers(let words)): place(words, at: value.address, into: &input, filler: 0)
            default: break
            }
        }
        return (coils, discrete, holding, input)
    }
}
