/// Python's `round(x, ndigits)` for floats: the exact binary value rounded half-to-even at
/// `ndigits` decimals, then the nearest double. The reference rounds every decoded float this
/// way (default 6 digits), so the same registers must give the same JSON number here.
/// Multiplying by 10^n in floating point is not enough (the product is itself rounded), so the
/// scaled value is computed exactly in 128-bit integers; dividing the rounded integer by an
/// exactly representable 10^n is one correctly rounded operation.
enum PythonRounding {
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0 ..< exponent { value *= 10 }
        return value
    }

    static func round(_ value: Double, digits: Int) -> Double {
        guard value.isFinite, value != 0 else { return value }
        if digits < 0 {
            var scale = 1.0
            for _ in 0 ..< min(-digits, 308) { scale *= 10 }
            return (value / scale).rounded(.toNearestOrEven) * scale
        }
        // Beyond 22 digits 10^n is inexact; doubles this precise are returned unchanged.
        guard digits <= 22 else { return value }
        let magnitude = abs(value)
        // magnitude = significand × 2^exponent with an integer significand of 53 bits.
        let exponent = Int(magnitude.exponent) - 52
        guard exponent < 0 else { return value }   // an integer already
        let significand = UInt128(magnitude.significandBitPattern | (magnitude.isNormal ? 1 << 52 : 0))
        var power: UInt128 = 1
        for _ in 0 ..< digits { power *= 10 }
        let scaled = significand * power                      // < 2^53 × 10^22 < 2^127
        let shift = -(magnitude.isNormal ? exponent : -1074)
        let quotient: UInt128, remainder: UInt128, half: UInt128
        if shift >= 127 {
            (quotient, remainder, half) = (0, scaled, shift == 127 ? UInt128(1) << 126 : .max)
        } else {
            quotient = scaled >> UInt128(shift)
            remainder = scaled & ((UInt128(1) << UInt128(shift)) - 1)
            half = UInt128(1) << UInt128(shift - 1)
        }
        var rounded = quotient
        if remainder > half || (remainder == half && quotient & 1 == 1) { rounded += 1 }
        // Past 2^53 the quotient is not exact as a double; such values are within an ulp anyway.
        guard rounded < UInt128(1) << 53 else { return value }
        let result = Double(UInt64(rounded)) / powersOfTen[digits]
        return value < 0 ? -result : result
    }
}
