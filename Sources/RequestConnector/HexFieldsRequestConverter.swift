import GatewayKit

/// The built-in `custom` converter `CustomRequestUplinkConverter` (the reference's example
/// extension): the answer carries a hex string at `data.value` (`{"data": {"value": "0A1B..."}}`;
/// an answer that is not JSON is taken as the hex text itself), and each `extension-config` entry
/// reads one telemetry value from its bytes:
///
/// ```json
/// {"key": "Flow", "type": "int", "fromByte": 4, "toByte": 6, "byteorder": "big", "signed": true, "multiplier": 0.01}
/// {"key": "Totaliser", "type": "float", "fromByte": 0, "toByte": 4, "byteorder": "big"}
/// {"key": "OUT2", "type": "int", "byteAddress": 15, "fromBit": 1, "toBit": 2}
/// ```
///
/// `int`: the bytes `[fromByte, toByte)` as an integer (two's complement when `signed`, default
/// true). `float`: 4 bytes (IEEE single) or 8 (double). Bit fields: bits `[fromBit, toBit)` of the
/// byte at `byteAddress`, bit 0 the least significant (`byteorder: little` numbers them from the
/// most significant). The value is multiplied by `multiplier` (default 1; an integer multiplier
/// keeps integers integral, as in Python). Differences from the reference: `float` fields work
/// (the reference's example never sends them) and a field outside the data is skipped with an error.
struct HexFieldsRequestConverter: RequestUplinkConverter {
    static let name = "CustomRequestUplinkConverter"

    enum Field: Sendable {
        case integer(from: Int, to: Int, littleEndian: Bool, signed: Bool)
        case float(from: Int, to: Int, littleEndian: Bool)
        case bits(byte: Int, from: Int, to: Int, reversed: Bool)
    }

    struct Entry: Sendable {
        var key: String
        var field: Field
        var multiplier: JSONValue
    }

    let naming: RequestDeviceNaming
    let entries: [Entry]
    let reportStrategy: ReportStrategy?

    init(_ setup: RequestCustomConverterSetup) throws(ConfigError) {
        naming = try RequestDeviceNaming(setup.converter)
        reportStrategy = setup.reportStrategy
        let key = setup.converter.has("extension-config") ? "extension-config" : "extensionConfig"
        var entries: [Entry] = []
        for entry in try setup.converter.objects(key, required: true) {
            entries.append(try Self.entry(entry))
        }
        self.entries = entries
    }

    private static func entry(_ reader: ConfigReader) throws(ConfigError) -> Entry {
        let key = try reader.string("key", default: nil)
        let little = try reader.choice("byteorder", of: ["big", "little", "BIG", "LITTLE"], default: "big").lowercased() == "little"
        let multiplier: JSONValue
        if case .int(let factor)? = reader.value("multiplier") {
            multiplier = .int(factor)
        } else {
            multiplier = try reader.number("multiplier").map(JSONValue.double) ?? .int(1)
        }
        let field: Field
        if let byte = try reader.int("byteAddress", in: 0...65_535) {
            let from = try reader.int("fromBit", default: 0, in: 0...8)
            let to = try reader.int("toBit", default: 8, in: 0...8)
            guard from < to else { throw reader.failure("toBit", expected: "a bit number above fromBit (\(from))", found: .int(Int64(to))) }
            field = .bits(byte: byte, from: from, to: to, reversed: little)
        } else {
            let from = try reader.int("fromByte", default: nil, in: 0...65_535)
            let to = try reader.int("toByte", default: nil, in: 0...65_536)
            let type = try reader.string("type", default: "int").lowercased()
            guard to > from else {
                throw reader.failure("toByte", expected: "a byte offset above fromByte (\(from))", found: .int(Int64(to)))
            }
            if type == "float" || type == "double" {
                guard to - from == 4 || to - from == 8 else {
                    throw reader.failure("toByte", expected: "fromByte + 4 or + 8 for a float", found: .int(Int64(to)))
                }
                field = .float(from: from, to: to, littleEndian: little)
            } else {
                guard to - from <= 8 else {
                    throw reader.failure("toByte", expected: "at most 8 bytes after fromByte for an int", found: .int(Int64(to)))
                }
                field = .integer(from: from, to: to, littleEndian: little, signed: try reader.bool("signed", default: true))
            }
        }
        return Entry(key: key, field: field, multiplier: multiplier)
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    func convert(_ record: RequestRecord) throws -> [ConvertedData] {
        let hexText: String
        if let json = record.json {
            guard case .string(let text)? = json["data"]?["value"] else {
                throw Problem(description: "\(Self.name): the answer has no hex string at data.value")
            }
            hexText = text
        } else {
            hexText = String(decoding: record.body, as: UTF8.self)
        }
        guard let bytes = Self.hexBytes(hexText) else {
            throw Problem(description: "\(Self.name): data.value is not hex text")
        }
        var values: JSONObject = [:]
        var outside: [String] = []
        for entry in entries {
            guard let raw = Self.read(entry.field, in: bytes) else {
                outside.append(entry.key)
                continue
            }
            values[entry.key] = Self.multiply(raw, by: entry.multiplier)
        }
        if !outside.isEmpty, values.isEmpty {
            throw Problem(description: "\(Self.name): fields \(outside.joined(separator: ", ")) lie outside the \(bytes.count) data bytes")
        }
        guard !values.isEmpty else { return [] }
        return [ConvertedData(deviceName: naming.deviceName(in: record.json), deviceType: naming.deviceType(in: record.json),
                              telemetry: [TelemetryEntry(ts: record.receivedAt, values: values)],
                              reportStrategy: reportStrategy)]
    }

    static func read(_ field: Field, in bytes: [UInt8]) -> JSONValue? {
        switch field {
        case .integer(let from, let to, let little, let signed):
            guard to <= bytes.count else { return nil }
            let slice = little ? Array(bytes[from..<to].reversed()) : Array(bytes[from..<to])
            var value: UInt64 = 0
            for byte in slice { value = value << 8 | UInt64(byte) }
            let width = slice.count * 8
            return .integer(bits: value, width: width, signed: signed)
        case .float(let from, let to, let little):
            guard to <= bytes.count else { return nil }
            let slice = little ? Array(bytes[from..<to].reversed()) : Array(bytes[from..<to])
            var bits: UInt64 = 0
            for byte in slice { bits = bits << 8 | UInt64(byte) }
            let value = slice.count == 4 ? Double(Float(bitPattern: UInt32(bits))) : Double(bitPattern: bits)
            return value.isFinite ? .double(value) : nil
        case .bits(let index, let from, let to, let reversed):
            guard index < bytes.count else { return nil }
            var byte = bytes[index]
            if reversed { byte = UInt8(byte.bitSwapped) }
            return .int(Int64((byte >> from) & UInt8((1 << (to - from)) - 1)))
        }
    }

    static func multiply(_ value: JSONValue, by multiplier: JSONValue) -> JSONValue {
        switch (value, multiplier) {
        case (.int, .int(let factor)), (.uint, .int(let factor)):
            return value.multipliedExactly(by: factor) ?? .double((value.doubleValue ?? 0) * Double(factor))
        default: return .double((value.doubleValue ?? 0) * (multiplier.doubleValue ?? 1))
        }
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = text.utf8.filter { $0 != UInt8(ascii: " ") }
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var high: UInt8?
        for digit in digits {
            let nibble: UInt8
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = digit - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}

private extension UInt8 {
    /// The bits in the opposite order (bit 0 becomes bit 7).
    var bitSwapped: UInt8 {
        var out: UInt8 = 0
        for bit in 0..<8 where self & (1 << bit) != 0 { out |= 1 << (7 - bit) }
        return out
    }
}
