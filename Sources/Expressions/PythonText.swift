import GatewayKit

/// Text the way the reference gateway's Python code produces it. The reference builds every
/// converted value by substituting `str(value)` into the expression and then converting the
/// resulting text, so a drop-in replacement must reproduce `str()` exactly: `True`/`False`/`None`,
/// float `repr` (`1e-05`, `1e+16`, `21.0`) and the Python dict/list repr (`{'a': [1, True]}`).
public enum PythonText {
    /// `str(value)` of the value as the reference holds it after decoding the JSON message.
    public static func str(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        default:
            var out = ""
            appendRepr(value, to: &out)
            return out
        }
    }

    /// `repr(value)`: like `str` but strings are quoted (used inside containers).
    public static func repr(_ value: JSONValue) -> String {
        var out = ""
        appendRepr(value, to: &out)
        return out
    }

    static func appendRepr(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null: out += "None"
        case .bool(let flag): out += flag ? "True" : "False"
        case .int(let number): out += String(number)
        case .uint(let number): out += String(number)
        case .double(let number): out += floatRepr(number)
        case .string(let text): appendStringRepr(text, to: &out)
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += ", " }
                appendRepr(element, to: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            var first = true
            for (key, element) in object {
                if !first { out += ", " }
                first = false
                appendStringRepr(key, to: &out)
                out += ": "
                appendRepr(element, to: &out)
            }
            out += "}"
        }
    }

    /// Python's `repr(str)`: single quotes unless the text holds a single quote and no double quote.
    static func appendStringRepr(_ text: String, to out: inout String) {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        out.append(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + hex2(scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
    }

    private static func hex2(_ value: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(value >> 4) & 0xF], digits[Int(value) & 0xF]])
    }

    /// Python's `repr(float)`: the shortest round-trip digits (Swift computes the same ones), in
    /// fixed notation when the decimal exponent is in -4 < e <= 16, else `d.ddde±XX`.
    public static func floatRepr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let (negative, digits, pointPosition) = shortestDigits(value)
        var out = negative ? "-" : ""
        if pointPosition > -4 && pointPosition <= 16 {
            if pointPosition <= 0 {
                out += "0." + String(repeating: "0", count: -pointPosition) + digits
            } else if pointPosition >= digits.count {
                out += digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
            } else {
                let split = digits.index(digits.startIndex, offsetBy: pointPosition)
                out += digits[..<split] + "." + digits[split...]
            }
        } else {
            out.append(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            let exponent = pointPosition - 1
            out += exponent < 0 ? "e-" : "e+"
            let magnitude = abs(exponent)
            out += magnitude < 10 ? "0\(magnitude)" : "\(magnitude)"
        }
        return out
    }

    /// Sign, significant digits without leading/trailing zeros, and the position of the decimal
    /// point relative to the first digit (value = 0.d1d2... × 10^position), from Swift's
    /// shortest round-trip `description`.
    static func shortestDigits(_ value: Double) -> (negative: Bool, digits: String, pointPosition: Int) {
        var text = Substring(value.magnitude.description)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        var integerPart = text
        var fractionPart: Substring = ""
        if let dot = text.firstIndex(of: ".") {
            integerPart = text[..<dot]
            fractionPart = text[text.index(after: dot)...]
        }
        var digits = String(integerPart) + fractionPart
        var position = integerPart.count + exponent
        while digits.first == "0" && digits.count > 1 {
            digits.removeFirst()
            position -= 1
        }
        while digits.last == "0" && digits.count > 1 { digits.removeLast() }
        if digits == "0" { position = 1 }
        return (value.sign == .minus, digits, position)
    }

    /// Python's `float(text)` for a `str`: surrounding whitespace, sign, `_` between digits,
    /// `inf`/`infinity`/`nan` in any case; nil where Python raises ValueError.
    public static func parseFloat(_ text: String) -> Double? {
        var trimmed = Substring(text)
        while let first = trimmed.first, first.isWhitespace { trimmed.removeFirst() }
        while let last = trimmed.last, last.isWhitespace { trimmed.removeLast() }
        guard !trimmed.isEmpty else { return nil }
        var body = trimmed
        if body.first == "+" || body.first == "-" { body.removeFirst() }
        switch body.lowercased() {
        case "inf", "infinity", "nan": return Double(String(trimmed).lowercased())
        default: break
        }
        // Only decimal notation; Swift would also take hex floats ("0x1p3"), Python does not.
        var cleaned = ""
        cleaned.reserveCapacity(trimmed.utf8.count)
        var previous: Character = " "
        var sawDigit = false
        let characters = Array(trimmed)
        for (index, character) in characters.enumerated() {
            if character == "_" {
                let next = index + 1 < characters.count ? characters[index + 1] : " "
                guard previous.isASCIIDigitCharacter, next.isASCIIDigitCharacter else { return nil }
            } else {
                guard character.isASCIIDigitCharacter || "+-.eE".contains(character) else { return nil }
                if character.isASCIIDigitCharacter { sawDigit = true }
                cleaned.append(character)
            }
            previous = character
        }
        guard sawDigit else { return nil }
        return Double(cleaned)
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
