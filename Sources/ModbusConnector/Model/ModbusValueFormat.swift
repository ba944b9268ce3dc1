import GatewayKit

/// How a single-bit result is reported (`bitTargetType`): `true`/`false` or `1`/`0`.
public enum ModbusBitTargetType: String, Sendable, Hashable {
    case bool
    case int
}

/// Everything needed to turn a datapoint's registers or bits into the JSON value the reference
/// gateway reports, and back for writes. Built once from the config; decoding and encoding are
/// allocation-free apart from the result.
public struct ModbusValueFormat: Sendable, Hashable {
    public var type: ModbusDataType
    /// The `type` as written in the config (rendered into wide-range keys by `${type}`).
    public var typeName: String
    /// Registers (FC 3/4/6/16) or bits (FC 1/2/5/15) the datapoint spans.
    public var objectsCount: Int
    public var byteOrder: ModbusOrder
    public var wordOrder: ModbusOrder
    /// FC 3/4 only: the decoded number is divided by this (result always a double).
    public var divider: Double?
    /// FC 3/4 only, when no divider: the decoded value is multiplied by this.
    public var multiplier: Double?
    /// Decimal digits decoded floats are rounded to (Python `round`); nil means 6.
    public var round: Int?
    /// For bit types: report only this bit of the decoded list, as 0/1.
    public var bit: Int?
    public var bitTargetType: ModbusBitTargetType
    /// Decoded value (as Python's `str()` renders it) → reported value.
    public var variants: [String: JSONValue]?
    /// Writes: registers are re-read in `byteOrder` (the reference's `repack`).
    public var repack: Bool
    /// Whether `multiplier` was written as an integer: Python keeps int × int an int.
    var multiplierIsInteger: Bool

    public init(type: ModbusDataType, typeName: String? = nil, objectsCount: Int = 1,
                byteOrder: ModbusOrder = .little, wordOrder: ModbusOrder = .little,
                divider: Double? = nil, multiplier: Double? = nil, round: Int? = nil, bit: Int? = nil,
                bitTargetType: ModbusBitTargetType = .bool, variants: [String: JSONValue]? = nil,
                repack: Bool = false) {
        self.type = type
        self.typeName = typeName ?? "\(type)"
        self.objectsCount = objectsCount
        self.byteOrder = byteOrder
        self.wordOrder = wordOrder
        self.divider = divider
        self.multiplier = multiplier
        self.round = round
        self.bit = bit
        self.bitTargetType = bitTargetType
        self.variants = variants
        self.repack = repack
        self.multiplierIsInteger = multiplier.map { $0.rounded() == $0 && abs($0) < 9.0e15 } ?? false
    }

    /// Registers a read of this datapoint asks for (FC 3/4); the reference reads `objectsCount`.
    public var registerCount: Int { objectsCount }
    /// Bits a read of this datapoint asks for (FC 1/2).
    public var bitCount: Int { objectsCount }

    // MARK: decoding

    /// Decodes holding/input registers (FC 3/4) as the reference does: pymodbus
    /// BinaryPayloadDecoder, then divider or multiplier, then variants. Nil when the registers
    /// are too few for the type or the reference would drop the value (e.g. dividing a list).
    public func decode(registers: ArraySlice<UInt16>) -> JSONValue? {
        guard var value = decodeRaw(RegisterPayload(registers: registers), wordOrder: wordOrder) else { return nil }
        if let divider, divider != 0 {
            guard let number = Self.pythonFloat(value) else { return nil }
            value = .double(number / divider)
        } else if let multiplier, multiplier != 0 {
            guard let product = multiply(value, by: multiplier) else { return nil }
            value = product
        }
        return applyVariants(value)
    }

    /// Decodes coils/discrete inputs (FC 1/2) as the reference does. `bits` are the datapoint's
    /// bits in address order. pymodbus packs each group of 8 into a byte with the first bit as
    /// the most significant one, so a list comes back reversed within each byte; word order is
    /// always BIG there (its `fromCoils` ignores it).
    public func decode(bits: ArraySlice<Bool>) -> JSONValue? {
        guard let value = decodeRaw(CoilPayload(bits: bits), wordOrder: .big) else { return nil }
        return applyVariants(value)
    }

    private func decodeRaw<Payload: PayloadBytes>(_ payload: Payload, wordOrder: ModbusOrder) -> JSONValue? {
        switch type {
        case .string:
            let bytes = payload.prefix(objectsCount * 2)
            if let text = String(validating: bytes, as: UTF8.self) { return .string(text) }
            return .string(Self.hex(bytes))
        case .bytes:
            return .string(Self.hex(payload.prefix(objectsCount * 2)))
        case .bits:
            return decodeBitList(payload)
        default:
            guard let width = type.fixedByteWidth, payload.count >= width else { return nil }
            let raw = Self.readNumber(payload, width: width, byteOrder: byteOrder, wordOrder: wordOrder)
            return numberValue(raw, width: width)
        }
    }

    /// pymodbus `decode_bits()` twice (bits of byte 0 then byte 1, least significant first),
    /// then the last `objectsCount` of them with Python slice semantics.
    private func decodeBitList<Payload: PayloadBytes>(_ payload: Payload) -> JSONValue? {
        let available = min(payload.count, 2) * 8
        func bitAt(_ index: Int) -> Bool { payload[index / 8] & (1 << UInt8(index % 8)) != 0 }
        var start = available - objectsCount
        if start < 0 { start = max(0, start + available) }
        let count = available - start
        if let bit {
            guard count > 0 else { return nil }
            return .int(bitAt(start + min(bit, count - 1)) ? 1 : 0)
        }
        let asBool = bitTargetType == .bool
        func element(_ value: Bool) -> JSONValue { asBool ? .bool(value) : .int(value ? 1 : 0) }
        if objectsCount == 1 {
            guard count > 0 else { return nil }
            return element(bitAt(available - 1))
        }
        var list: [JSONValue] = []
        list.reserveCapacity(count)
        for index in start ..< available { list.append(element(bitAt(index))) }
        return .array(list)
    }

    /// The value of `width` payload bytes as an unsigned pattern: bytes swapped within each word
    /// when byteOrder is LITTLE, words reversed when wordOrder is LITTLE, then big-endian.
    static func readNumber<Payload: PayloadBytes>(_ payload: Payload, width: Int, byteOrder: ModbusOrder,
                                                  wordOrder: ModbusOrder) -> UInt64 {
        if width == 1 { return UInt64(payload[0]) }
        let words = width / 2
        var value: UInt64 = 0
        for index in 0 ..< width {
            var word = index / 2
            if wordOrder == .little { word = words - 1 - word }
            var byte = index % 2
            if byteOrder == .little { byte = 1 - byte }
            value = value << 8 | UInt64(payload[word * 2 + byte])
        }
        return value
    }

    private func numberValue(_ raw: UInt64, width: Int) -> JSONValue? {
        switch type {
        case .int8: return .int(Int64(Int8(truncatingIfNeeded: raw)))
        case .int16: return .int(Int64(Int16(truncatingIfNeeded: raw)))
        case .int32: return .int(Int64(Int32(truncatingIfNeeded: raw)))
        case .int64: return .int(Int64(bitPattern: raw))
        case .uint8, .uint16, .uint32, .uint64: return .integer(raw)
        case .float16: return rounded(HalfFloat.double(fromBits: UInt16(truncatingIfNeeded: raw)))
        case .float32: return rounded(Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw))))
        case .float64: return rounded(Double(bitPattern: raw))
        default: return nil
        }
    }

    /// NaN and infinities are dropped: the reference would emit them as bare `NaN`/`Infinity`,
    /// which is not JSON.
    private func rounded(_ value: Double) -> JSONValue? {
        guard value.isFinite else { return nil }
        return .double(PythonRounding.round(value, digits: round ?? 6))
    }

    // MARK: post-processing

    /// Python's `float(x)` for the values a decoder produces (strings parse, lists do not).
    static func pythonFloat(_ value: JSONValue) -> Double? {
        switch value {
        case .int, .uint, .double: return value.doubleValue
        case .bool(let flag): return flag ? 1 : 0
        case .string(let text): return Double(text.trimmingASCIISpaces())
        default: return nil
        }
    }

    /// Python's `value * multiplier`: int × int stays an int, a string or list with an integer
    /// multiplier repeats, anything else with a fraction is a double.
    private func multiply(_ value: JSONValue, by multiplier: Double) -> JSONValue? {
        switch value {
        case .int, .uint:
            // multiplierIsInteger: the config wrote an integer below 2^53, so Int64() is exact.
            if multiplierIsInteger, let product = value.multipliedExactly(by: Int64(multiplier)) { return product }
            return .double((value.doubleValue ?? 0) * multiplier)
        case .bool(let flag):
            return multiply(.int(flag ? 1 : 0), by: multiplier)
        case .double(let number):
            return .double(number * multiplier)
        case .string(let text):
            guard multiplierIsInteger else { return nil }
            return .string(String(repeating: text, count: max(0, Int(multiplier))))
        case .array(let list):
            guard multiplierIsInteger else { return nil }
            var repeated: [JSONValue] = []
            for _ in 0 ..< max(0, Int(multiplier)) { repeated.append(contentsOf: list) }
            return .array(repeated)
        default:
            return nil
        }
    }

    private func applyVariants(_ value: JSONValue) -> JSONValue {
        guard let variants else { return value }
        return variants[Self.pythonString(value)] ?? value
    }

    /// Python's `str()` of a decoded value, the key looked up in `variants`.
    static func pythonString(_ value: JSONValue) -> String {
        switch value {
        case .null: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .int(let number): return String(number)
        case .uint(let number): return String(number)
        case .double(let number): return pythonRepr(number)
        case .string(let text): return text
        case .array(let list):
            return "[" + list.map { element -> String in
                if case .string(let text) = element { return "'\(text)'" }
                return pythonString(element)
            }.joined(separator: ", ") + "]"
        case .object: return value.jsonString
        }
    }

    private static func pythonRepr(_ number: Double) -> String {
        if number.isNaN { return "nan" }
        if number.isInfinite { return number < 0 ? "-inf" : "inf" }
        return number.description
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let digits = hexDigits
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension String {
    func trimmingASCIISpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        let last = lastIndex(where: { !isSpace($0) })!
        return self[first ... last]
    }
}
