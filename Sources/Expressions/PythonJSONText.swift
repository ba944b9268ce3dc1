import GatewayKit

/// JSON as Python's `json.dumps` writes it with its defaults (the reference answers attribute
/// requests with `simplejson.dumps(value)`): `", "` and `": "` separators, non-ASCII characters
/// as `\uXXXX`, floats as Python's `repr`.
public enum PythonJSONText {
    public static func dumps(_ value: JSONValue) -> String {
        var out = ""
        write(value, to: &out)
        return out
    }

    private static func write(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .uint(let number): out += String(number)
        case .double(let number):
            if number.isNaN { out += "NaN" } else if number.isInfinite { out += number < 0 ? "-Infinity" : "Infinity" }
            else { out += PythonText.floatRepr(number) }
        case .string(let text): writeString(text, to: &out)
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += ", " }
                write(element, to: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            var first = true
            for (key, element) in object {
                if !first { out += ", " }
                first = false
                writeString(key, to: &out)
                out += ": "
                write(element, to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ text: String, to out: inout String) {
        out += "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let digits = Array("0123456789abcdef")
                out += "\\u"
                for shift in stride(from: 12, through: 0, by: -4) { out.append(digits[Int(unit >> UInt16(shift)) & 0xF]) }
            }
        }
        out += "\""
    }
}
