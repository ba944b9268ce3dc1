/// The byte view pymodbus decodes from: a read's registers or bits seen as one big-endian byte
/// string, without copying them.
protocol PayloadBytes: RandomAccessCollection where Element == UInt8, Index == Int {}

/// Registers as bytes: each register high byte first (pymodbus packs them with "!H").
struct RegisterPayload: PayloadBytes {
    let registers: ArraySlice<UInt16>

    var startIndex: Int { 0 }
    var endIndex: Int { registers.count * 2 }

    subscript(position: Int) -> UInt8 {
        let register = registers[registers.startIndex + position / 2]
        return position % 2 == 0 ? UInt8(register >> 8) : UInt8(truncatingIfNeeded: register)
    }
}

/// Coils or discrete inputs as bytes the way pymodbus `fromCoils` builds them: the bits padded
/// with zeros to whole bytes (a device pads its response the same way), each group of 8 packed
/// with its first bit as the most significant one.
struct CoilPayload: PayloadBytes {
    let bits: ArraySlice<Bool>

    var startIndex: Int { 0 }
    var endIndex: Int { (bits.count + 7) / 8 }

    subscript(position: Int) -> UInt8 {
        var byte: UInt8 = 0
        for offset in 0 ..< 8 {
            let index = position * 8 + offset
            byte <<= 1
            if index < bits.count, bits[bits.startIndex + index] { byte |= 1 }
        }
        return byte
    }
}

/// IEEE 754 binary16, converted by hand: `Float16` is not available on every platform Swift
/// runs on (macOS on Intel).
enum HalfFloat {
    static func double(fromBits bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = Double(bits & 0x03FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    /// Round-to-nearest-even encoding, as Python's struct "e" format does; nil when the value
    /// is too large for binary16 (struct raises OverflowError there).
    static func bits(from value: Double) -> UInt16? {
        if value.isNaN { return 0x7E00 }
        let sign: UInt16 = value.sign == .minus ? 0x8000 : 0
        let magnitude = abs(value)
        if magnitude.isInfinite { return sign | 0x7C00 }
        if magnitude == 0 { return sign }
        // Subnormal range: multiples of 2^-24.
        if magnitude < 0x1p-14 {
            let units = (magnitude * 0x1p24).rounded(.toNearestOrEven)
            return sign | UInt16(units)   // 1024 units rolls over into the smallest normal: correct
        }
        var exponent = Int(magnitude.exponent)
        var mantissa = (magnitude.significand - 1) * 1024
        mantissa = mantissa.rounded(.toNearestOrEven)
        if mantissa == 1024 { mantissa = 0; exponent += 1 }
        guard exponent <= 15 else { return nil }
        return sign | UInt16(exponent + 15) << 10 | UInt16(mantissa)
    }
}
