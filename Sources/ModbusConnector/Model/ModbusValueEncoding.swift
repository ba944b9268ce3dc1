import GatewayKit

/// A value from a shared attribute or RPC params that cannot be written with a datapoint's type.
public struct ModbusEncodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ModbusValueFormat {
    /// Registers to write (FC 6/16), built the way pymodbus' BinaryPayloadBuilder does with this
    /// format's byte and word order. Values may arrive as strings ("12.5", "true").
    ///
    /// Deliberate differences from the reference: a string or hex `bytes` value is zero-padded to
    /// `objectsCount` registers and refused when longer (the reference writes a varying number of
    /// registers, sometimes only the first); out-of-range numbers are refused with a message.
    public func encodeRegisters(_ value: JSONValue) throws(ModbusEncodeError) -> [UInt16] {
        var registers = try payloadRegisters(value)
        if repack && byteOrder == .little {
            for index in registers.indices { registers[index] = registers[index].byteSwapped }
        }
        return registers
    }

    /// Coils to write (FC 5/15). For bit types: one bool when objectsCount is 1, else exactly
    /// objectsCount coils, reversed within each group of 8 — the inverse of `decode(bits:)`,
    /// which is the reference's layout for whole bytes (it always writes 16 coils per register).
    /// Other types write their registers' bits, most significant first, as the reference does.
    public func encodeBits(_ value: JSONValue) throws(ModbusEncodeError) -> [Bool] {
        if type == .bits {
            if objectsCount <= 1 { return [try Self.truthValue(value)] }
            let list = try bitList(value)
            var coils = [Bool](repeating: false, count: objectsCount)
            var groupStart = 0
            while groupStart < objectsCount {
                let size = min(8, objectsCount - groupStart)
                for offset in 0 ..< size { coils[groupStart + offset] = list[groupStart + size - 1 - offset] }
                groupStart += 8
            }
            return coils
        }
        let registers = try encodeRegisters(value)
        var coils: [Bool] = []
        coils.reserveCapacity(registers.count * 16)
        for register in registers {
            for shift in stride(from: 15, through: 0, by: -1) { coils.append(register >> UInt16(shift) & 1 == 1) }
        }
        return coils
    }

    private func payloadRegisters(_ value: JSONValue) throws(ModbusEncodeError) -> [UInt16] {
        switch type {
        case .string:
            let text: String
            switch value {
            case .string(let string): text = string
            case .int, .uint, .double, .bool: text = value.jsonString
            default: throw mismatch(value, "a string")
            }
            // struct "<n>s" with n = len(text): the UTF-8 bytes cut or padded to the character count.
            var bytes = Array(text.utf8.prefix(text.unicodeScalars.count))
            bytes += [UInt8](repeating: 0, count: text.unicodeScalars.count - bytes.count)
            return try fixedRegisters(bytes, value)
        case .bytes:
            guard case .string(let text) = value, let bytes = Self.bytes(fromHex: text) else {
                throw mismatch(value, "a hex string")
            }
            return try fixedRegisters(bytes, value)
        case .bits:
            if objectsCount <= 1 {
                // The reference writes int(value) itself for a single bit.
                return [try Self.truthValue(value) ? 1 : 0]
            }
            let list = try bitList(value)
            var bytes = [UInt8](repeating: 0, count: (list.count + 7) / 8)
            for (index, bit) in list.enumerated() where bit { bytes[index / 8] |= 1 << UInt8(index % 8) }
            return Self.registers(fromBytes: bytes)
        default:
            guard let width = type.fixedByteWidth else { throw mismatch(value, "a number") }
            let pattern = try bitPattern(value, width: width)
            var bytes = [UInt8](repeating: 0, count: width)
            if width == 1 {
                bytes[0] = UInt8(truncatingIfNeeded: pattern)
            } else {
                // Inverse of `readNumber`: big-endian bytes, words reversed, bytes swapped.
                let words = width / 2
                for index in 0 ..< width {
                    var word = index / 2
                    if wordOrder == .little { word = words - 1 - word }
                    var byte = index % 2
                    if byteOrder == .little { byte = 1 - byte }
                    bytes[word * 2 + byte] = UInt8(truncatingIfNeeded: pattern >> UInt64(8 * (width - 1 - index)))
                }
            }
            return Self.registers(fromBytes: bytes)
        }
    }

    private func fixedRegisters(_ bytes: [UInt8], _ value: JSONValue) throws(ModbusEncodeError) -> [UInt16] {
        let capacity = objectsCount * 2
        guard bytes.count <= capacity else {
            throw ModbusEncodeError("value \(ConfigReader.describe(value)) needs \(bytes.count) bytes, "
                + "but objectsCount \(objectsCount) holds \(capacity)")
        }
        return Self.registers(fromBytes: bytes + [UInt8](repeating: 0, count: capacity - bytes.count))
    }

    /// The unsigned bit pattern of a number for `width` bytes; Python `int()`/`float()` rules for
    /// strings and bools, and a clear error when the number does not fit.
    private func bitPattern(_ value: JSONValue, width: Int) throws(ModbusEncodeError) -> UInt64 {
        let bits = width * 8
        if type.isFloat {
            guard let number = Self.pythonFloat(value) else { throw mismatch(value, "a number") }
            switch type {
            case .float16:
                guard let half = HalfFloat.bits(from: number) else { throw outOfRange(value) }
                return UInt64(half)
            case .float32:
                let single = Float(number)
                guard single.isFinite || !number.isFinite else { throw outOfRange(value) }
                return UInt64(single.bitPattern)
            default:
                return number.bitPattern
            }
        }
        if type.isSigned {
            if case .uint = value { throw outOfRange(value) }
            guard let number = Self.integer(value) else { throw mismatch(value, "an integer") }
            let limit = Int64(1) << Int64(bits - 1)
            guard bits == 64 || (number >= -limit && number < limit) else { throw outOfRange(value) }
            return UInt64(bitPattern: number) & (bits == 64 ? .max : (UInt64(1) << UInt64(bits)) - 1)
        }
        guard let number = Self.unsignedInteger(value) else {
            if Self.integer(value) != nil { throw outOfRange(value) }
            throw mismatch(value, "an integer")
        }
        guard bits == 64 || number < UInt64(1) << UInt64(bits) else { throw outOfRange(value) }
        return number
    }

    /// Python `int(value)`: bools are 0/1, doubles truncate; numeric strings too (also "12.5",
    /// which Python would refuse: an attribute typed as text in ThingsBoard still writes).
    static func integer(_ value: JSONValue) -> Int64? {
        switch value {
        case .int(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        case .double(let number):
            guard number.isFinite, abs(number) < 9.2e18 else { return nil }
            return Int64(number.rounded(.towardZero))
        case .string(let text):
            let trimmed = text.trimmingASCIISpaces()
            if let number = Int64(trimmed) { return number }
            if let number = Double(trimmed) { return integer(.double(number)) }
            return nil
        default: return nil
        }
    }

    static func unsignedInteger(_ value: JSONValue) -> UInt64? {
        switch value {
        case .uint(let number): return number
        case .double(let number) where number >= 0 && number < 18_446_744_073_709_551_616.0:
            return UInt64(number.rounded(.towardZero))
        case .string(let text):
            let trimmed = text.trimmingASCIISpaces()
            if let number = UInt64(trimmed) { return number }
            if let number = Double(trimmed), number >= 0 { return unsignedInteger(.double(number)) }
            return integer(value).flatMap { $0 >= 0 ? UInt64($0) : nil }
        default:
            return integer(value).flatMap { $0 >= 0 ? UInt64($0) : nil }
        }
    }

    /// A single bit: bools, numbers (non-zero is on) and the strings "true"/"false"/"1"/"0".
    static func truthValue(_ value: JSONValue) throws(ModbusEncodeError) -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .int(let number): return number != 0
        case .uint: return true  // never zero: above Int64.max
        case .double(let number): return number != 0
        case .string(let text):
            switch text.trimmingASCIISpaces().lowercased() {
            case "true", "1", "on": return true
            case "false", "0", "off": return false
            default:
                if let number = Double(text.trimmingASCIISpaces()) { return number != 0 }
            }
        default: break
        }
        throw ModbusEncodeError("cannot write \(ConfigReader.describe(value)) as a bit: expected true/false or 1/0")
    }

    /// Several bits: a JSON list (or its text), a string of 0/1 digits, or an integer whose
    /// binary digits are the bits, most significant first (Python `bin(value)`). Padded with
    /// zeros to objectsCount; more bits than objectsCount is an error.
    private func bitList(_ value: JSONValue) throws(ModbusEncodeError) -> [Bool] {
        var list: [Bool] = []
        switch value {
        case .array(let elements):
            for element in elements { list.append(try Self.truthValue(element)) }
        case .string(let text):
            let trimmed = text.trimmingASCIISpaces()
            if trimmed.first == "[", let parsed = try? JSONValue.parse(String(trimmed)), case .array = parsed {
                return try bitList(parsed)
            }
            guard !trimmed.isEmpty, trimmed.allSatisfy({ $0 == "0" || $0 == "1" }) else {
                throw mismatch(value, "a list of bits")
            }
            list = trimmed.map { $0 == "1" }
        case .int, .uint, .bool, .double:
            guard let number = Self.unsignedInteger(value) else { throw mismatch(value, "a list of bits") }
            let digits = String(number, radix: 2)
            list = digits.map { $0 == "1" }
        default:
            throw mismatch(value, "a list of bits")
        }
        guard list.count <= objectsCount else {
            throw ModbusEncodeError("value \(ConfigReader.describe(value)) has \(list.count) bits, "
                + "but objectsCount is \(objectsCount)")
        }
        return list + [Bool](repeating: false, count: objectsCount - list.count)
    }

    /// Bytes to registers, high byte first, the last one zero-padded (pymodbus `build`).
    static func registers(fromBytes bytes: [UInt8]) -> [UInt16] {
        var registers: [UInt16] = []
        registers.reserveCapacity((bytes.count + 1) / 2)
        var index = 0
        while index < bytes.count {
            let low = index + 1 < bytes.count ? bytes[index + 1] : 0
            registers.append(UInt16(bytes[index]) << 8 | UInt16(low))
            index += 2
        }
        return registers
    }

    static func bytes(fromHex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func nibble(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
            case UInt8(ascii: "a") ... UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A") ... UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private func mismatch(_ value: JSONValue, _ expected: String) -> ModbusEncodeError {
        ModbusEncodeError("cannot write \(ConfigReader.describe(value)) as \(typeName): expected \(expected)")
    }

    private func outOfRange(_ value: JSONValue) -> ModbusEncodeError {
        ModbusEncodeError("value \(ConfigReader.describe(value)) is out of range for \(typeName)")
    }
}
