import GatewayKit
import Synchronization

/// A datapoint polled from a device (an entry of `attributes` or `timeseries`). Wide address
/// ranges are already expanded: one item per `objectsCount` registers, key rendered from `tag`.
public struct ModbusReadItem: Sendable {
    public var key: String
    /// 1 coils, 2 discrete inputs, 3 holding registers, 4 input registers.
    public var functionCode: UInt8
    public var address: UInt16
    public var format: ModbusValueFormat {
        get { sharedFormat.format }
        set { sharedFormat = SharedModbusValueFormat.interned(newValue) }
    }
    /// Items share one copy of each distinct format: a device list repeats a few formats
    /// thousands of times, and an item then takes 72 bytes instead of 184.
    private var sharedFormat: SharedModbusValueFormat
    public var reportStrategy: ReportStrategy?
    /// Items from a wide range (`"address": "0-31"`) carry the range's `maxRegistersPerRequest`
    /// (default 16): no request that reads them may be longer.
    public var maxRegistersPerRequest: Int?

    public init(key: String, functionCode: UInt8, address: UInt16, format: ModbusValueFormat,
                reportStrategy: ReportStrategy? = nil, maxRegistersPerRequest: Int? = nil) {
        self.key = key
        self.functionCode = functionCode
        self.address = address
        self.sharedFormat = SharedModbusValueFormat.interned(format)
        self.reportStrategy = reportStrategy
        self.maxRegistersPerRequest = maxRegistersPerRequest
    }

    /// Registers or bits this item reads.
    public var count: Int { format.objectsCount }
    public var readsBits: Bool { functionCode <= 2 }
}

/// A shared attribute written to a device (an entry of `attributeUpdates`, keyed by `tag`).
public struct ModbusWriteItem: Sendable {
    public var key: String
    /// 5 single coil, 6 single register, 15 coils, 16 registers.
    public var functionCode: UInt8
    public var address: UInt16
    public var format: ModbusValueFormat

    public init(key: String, functionCode: UInt8, address: UInt16, format: ModbusValueFormat) {
        self.key = key
        self.functionCode = functionCode
        self.address = address
        self.format = format
    }

    /// The request payload for `value`, shaped by the function code.
    public func encode(_ value: JSONValue) throws(ModbusEncodeError) -> ModbusWritePayload {
        try ModbusWritePayload(functionCode: functionCode, format: format, value: value)
    }
}

/// An RPC method of a device (an entry of `rpc`, keyed by `tag`): FC 1–4 read and return the
/// decoded value, FC 5/6/15/16 write the RPC `params`.
public struct ModbusRPCItem: Sendable {
    public var method: String
    public var functionCode: UInt8
    public var address: UInt16
    public var format: ModbusValueFormat

    public init(method: String, functionCode: UInt8, address: UInt16, format: ModbusValueFormat) {
        self.method = method
        self.functionCode = functionCode
        self.address = address
        self.format = format
    }

    public var isRead: Bool { functionCode <= 4 }

    public func encode(_ value: JSONValue) throws(ModbusEncodeError) -> ModbusWritePayload {
        try ModbusWritePayload(functionCode: functionCode, format: format, value: value)
    }

    /// An RPC described by its params instead of the config (the reference accepts
    /// `{"type","functionCode","objectsCount","address"[, "value"]}` in connector RPCs and in
    /// device RPCs whose method is not configured), read with the device's orders.
    public init(method: String, params: JSONValue, byteOrder: ModbusOrder, wordOrder: ModbusOrder,
                file: String = "rpc") throws(ConfigError) {
        let reader = try ConfigReader(params, file: file, path: "params")
        var warnings: [String] = []
        let context = ModbusItemContext(unitId: 0, byteOrder: byteOrder, wordOrder: wordOrder, repack: false)
        guard let item = try context.rpcItem(reader, method: method, warnings: &warnings) else {
            throw reader.failure("type", expected: "a known Modbus type", found: reader.value("type"))
        }
        self = item
    }
}

/// What a write request carries.
public enum ModbusWritePayload: Sendable, Equatable {
    case coil(Bool)
    case coils([Bool])
    case register(UInt16)
    case registers([UInt16])

    /// FC 5 writes the first coil and FC 6 the first register of the encoded value, as the
    /// reference does.
    public init(functionCode: UInt8, format: ModbusValueFormat, value: JSONValue) throws(ModbusEncodeError) {
        switch functionCode {
        case 5:
            guard let first = try format.encodeBits(value).first else { throw ModbusEncodeError("nothing to write") }
            self = .coil(first)
        case 15:
            self = .coils(try format.encodeBits(value))
        case 6:
            guard let first = try format.encodeRegisters(value).first else { throw ModbusEncodeError("nothing to write") }
            self = .register(first)
        case 16:
            self = .registers(try format.encodeRegisters(value))
        default:
            throw ModbusEncodeError("function code \(functionCode) does not write")
        }
    }
}

/// Device-level settings an item's parsing needs.
struct ModbusItemContext {
    var unitId: UInt8
    var byteOrder: ModbusOrder
    var wordOrder: ModbusOrder
    var repack: Bool

    /// The value format of an item. Nil (with a warning) for an unknown `type`: the reference
    /// accepts such a config and drops the datapoint when decoding, so a shipped config with a
    /// typo keeps working for its other datapoints.
    func format(_ reader: ConfigReader, typeFallback: String? = nil,
                warnings: inout [String]) throws(ConfigError) -> ModbusValueFormat? {
        // objectsCount, or its older spellings registersCount / registerCount; default 1.
        var objectsCount = 1
        for key in ["registerCount", "registersCount", "objectsCount"] {
            if let count = try reader.int(key, in: 1 ... 2000) { objectsCount = count }
        }
        let typeName = try reader.string("type", nonEmpty: true) ?? typeFallback
        guard let typeName else { throw reader.failure("type", expected: "a Modbus type such as \"16int\"", found: nil) }
        guard let type = ModbusDataType.resolve(typeName, objectsCount: objectsCount) else {
            warnings.append("\(reader.file): \(reader.keyPath("type")): unknown type \"\(typeName)\" "
                + "(or objectsCount \(objectsCount) does not fit it); datapoint ignored")
            return nil
        }
        let bitTarget = try reader.choice("bitTargetType", of: ["bool", "int"], default: "bool")
        var variants: [String: JSONValue]?
        if let variantsReader = try reader.child("variants") {
            variants = Dictionary(variantsReader.object.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        }
        var format = ModbusValueFormat(
            type: type, typeName: typeName, objectsCount: objectsCount, byteOrder: byteOrder, wordOrder: wordOrder,
            divider: try reader.number("divider"), multiplier: try reader.number("multiplier"),
            round: try reader.int("round", in: -308 ... 308), bit: try reader.int("bit", in: 0 ... 65535),
            bitTargetType: ModbusBitTargetType(rawValue: bitTarget) ?? .bool, variants: variants, repack: repack)
        // Python keeps int × int an int only when the config wrote an integer ("2", not "2.0");
        // one beyond 2^53 (which the Double holding it rounds) multiplies as a float.
        if case .int(let multiplier) = reader.value("multiplier"), multiplier.magnitude < 1 << 53 {
            format.multiplierIsInteger = true
        } else {
            format.multiplierIsInteger = false
        }
        return format
    }

    func address(_ reader: ConfigReader, count: Int) throws(ConfigError) -> UInt16 {
        let address = try reader.int("address", default: nil, in: 0 ... 65535)
        guard address + count - 1 <= 65535 else {
            throw reader.failure("address", expected: "an address whose \(count) objects end at or below 65535",
                                 found: reader.value("address"))
        }
        return UInt16(address)
    }

    /// One `attributes`/`timeseries` entry; a wide range yields one item per objectsCount.
    func readItems(_ reader: ConfigReader, warnings: inout [String]) throws(ConfigError) -> [ModbusReadItem] {
        let tag = try reader.string("tag", default: nil)
        let functionCode = try reader.int("functionCode", default: nil, in: 1 ... 4)
        let strategy = try ReportStrategy.parse(in: reader)
        guard let format = try format(reader, warnings: &warnings) else { return [] }
        if case .string(let text) = reader.value("address"), text.contains("-") {
            return try wideRange(reader, text: text, tag: tag, functionCode: UInt8(functionCode), format: format,
                                 strategy: strategy, warnings: &warnings)
        }
        return [ModbusReadItem(key: tag, functionCode: UInt8(functionCode),
                               address: try address(reader, count: format.objectsCount),
                               format: format, reportStrategy: strategy)]
    }

    /// `"address": "0-31"`: registers from the first to the last address plus objectsCount − 1,
    /// one datapoint per objectsCount, keyed by `tag` with `${address}` (appended when missing),
    /// `${unitId}`, `${functionCode}`, `${type}`, `${objectsCount}` rendered.
    private func wideRange(_ reader: ConfigReader, text: String, tag: String, functionCode: UInt8,
                           format: ModbusValueFormat, strategy: ReportStrategy?,
                           warnings: inout [String]) throws(ConfigError) -> [ModbusReadItem] {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Int(parts[0].trimmingASCIISpacesSubstring()),
              let end = Int(parts[1].trimmingASCIISpacesSubstring()),
              start >= 0, end >= start, end + format.objectsCount - 1 <= 65535 else {
            throw reader.failure("address", expected: "an address or a range \"first-last\" with first <= last <= 65535",
                                 found: reader.value("address"))
        }
        let maxPerRequest = try reader.int("maxRegistersPerRequest", default: 16, in: 1 ... 2000)
        var template = tag
        if !template.contains("address") {
            warnings.append("\(reader.file): \(reader.keyPath("tag")): \"\(tag)\" has no ${address}; appending it")
            template += "_${address}"
        }
        template = template
            .replacingAll("${unitId}", with: String(unitId))
            .replacingAll("${functionCode}", with: String(functionCode))
            .replacingAll("${type}", with: format.typeName)
            .replacingAll("${objectsCount}", with: String(format.objectsCount))
        var items: [ModbusReadItem] = []
        var address = start
        while address <= end {
            items.append(ModbusReadItem(
                key: template.replacingAll("${address}", with: String(address)),
                functionCode: functionCode, address: UInt16(address), format: format,
                reportStrategy: strategy, maxRegistersPerRequest: maxPerRequest))
            address += format.objectsCount
        }
        return items
    }

    func writeItem(_ reader: ConfigReader, warnings: inout [String]) throws(ConfigError) -> ModbusWriteItem? {
        let tag = try reader.string("tag", default: nil)
        let functionCode = try reader.int("functionCode", default: nil, in: 5 ... 16)
        guard [5, 6, 15, 16].contains(functionCode) else {
            throw reader.failure("functionCode", expected: "one of 5, 6, 15, 16", found: reader.value("functionCode"))
        }
        // The reference falls back to the tag as the type name.
        guard let format = try format(reader, typeFallback: tag, warnings: &warnings) else { return nil }
        return ModbusWriteItem(key: tag, functionCode: UInt8(functionCode),
                               address: try address(reader, count: format.objectsCount), format: format)
    }

    func rpcItem(_ reader: ConfigReader, method: String, warnings: inout [String]) throws(ConfigError) -> ModbusRPCItem? {
        let functionCode = try reader.int("functionCode", default: nil, in: 1 ... 16)
        guard [1, 2, 3, 4, 5, 6, 15, 16].contains(functionCode) else {
            throw reader.failure("functionCode", expected: "one of 1, 2, 3, 4, 5, 6, 15, 16",
                                 found: reader.value("functionCode"))
        }
        guard let format = try format(reader, typeFallback: method, warnings: &warnings) else { return nil }
        return ModbusRPCItem(method: method, functionCode: UInt8(functionCode),
                             address: try address(reader, count: format.objectsCount), format: format)
    }
}

extension Substring {
    func trimmingASCIISpacesSubstring() -> Substring { String(self).trimmingASCIISpaces() }
}

extension String {
    /// Plain substring replacement (Foundation-free; used at config time only).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}

/// One boxed, immutable value format, interned process-wide so that equal formats share a box.
/// The table only grows by formats never seen before: a handful per configuration.
final class SharedModbusValueFormat: Sendable {
    let format: ModbusValueFormat
    private static let table = Mutex<[ModbusValueFormat: SharedModbusValueFormat]>([:])

    private init(_ format: ModbusValueFormat) { self.format = format }

    static func interned(_ format: ModbusValueFormat) -> SharedModbusValueFormat {
        table.withLock { table in
            if let shared = table[format] { return shared }
            let shared = SharedModbusValueFormat(format)
            table[format] = shared
            return shared
        }
    }
}
