import GatewayKit

/// `type` of a datapoint config, converted as the reference's `convert_data_type` does. The
/// reference first turns every value into text (`str(value)`) and then converts that text, so
/// `coerce` does the same: a JSON `true` with type "string" becomes "True", 21.42 with type
/// "int" becomes 21, and a text that does not convert stays text.
public enum ValueType: Sendable, Equatable {
    /// `int`, `integer`, `long` (any name containing "int" or "long"): `int(float(x))`.
    case integer
    /// `float`, `double` (exact names): `float(x)`.
    case double
    /// `bool`, `boolean` (any name containing "bool"): y/yes/t/true/on/1 or n/no/f/false/off/0.
    case boolean
    /// `string`, `str` and every other name: the text.
    case string
    /// `raw`: the text (the bytes converters' type; same as string for JSON).
    case raw

    /// The reference matches names by substring, in this order: a name containing "str" keeps
    /// text, then "int"/"long", then exactly "float"/"double", then "bool", else text.
    public init(configName: String) {
        let name = configName.lowercased()
        if name.contains("str") {
            self = .string
        } else if name.contains("int") || name.contains("long") {
            self = .integer
        } else if name == "float" || name == "double" {
            self = .double
        } else if name.contains("bool") {
            self = .boolean
        } else if name == "raw" {
            self = .raw
        } else {
            self = .string
        }
    }

    /// The converted value; nil for `.null` (the reference skips a key whose value is None).
    public func coerce(_ value: JSONValue) -> JSONValue? {
        if value.isNull { return nil }
        switch self {
        case .string, .raw:
            if case .string = value { return value }
            return .string(PythonText.str(value))
        case .integer:
            // An integer stays exact up to 2^64 − 1, also as text (the reference's detour through
            // float would round values beyond 2^53; nothing else differs).
            switch value {
            case .int, .uint: return value
            default: break
            }
            let text = PythonText.str(value)
            let trimmed = text.trimmingSpaces
            if let number = Int64(trimmed) { return .int(number) }
            if let number = UInt64(trimmed) { return .uint(number) }
            guard let number = PythonText.parseFloat(text), number.isFinite else { return .string(text) }
            return JSONValue.integer(exactly: number.rounded(.towardZero)) ?? .string(text)
        case .double:
            switch value {
            case .double: return value
            case .int, .uint: return value.doubleValue.map(JSONValue.double)
            default: break
            }
            let text = PythonText.str(value)
            guard let number = PythonText.parseFloat(text) else { return .string(text) }
            return .double(number)
        case .boolean:
            if case .bool = value { return value }
            let text = PythonText.str(value)
            switch text.trimmingSpaces.lowercased() {
            case "y", "yes", "t", "true", "on", "1": return .bool(true)
            case "n", "no", "f", "false", "off", "0": return .bool(false)
            default: return .string(text)
            }
        }
    }
}
