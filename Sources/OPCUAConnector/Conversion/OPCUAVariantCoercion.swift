import Foundation
import GatewayKit
import OPCUA

/// Turns a value from ThingsBoard (a shared attribute, RPC params, a `set` text, a configured
/// method argument) into a Variant of the type the server expects, so a write to a Double node
/// sends a Double whether ThingsBoard sent `21.5` or `"21.5"`. The reference first writes the
/// value with a type guessed from Python and casts only after a BadTypeMismatch; asking the
/// node first avoids the failed write.
public enum OPCUAVariantCoercion {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// `value` as a Variant of `type` (an array when `value` is a list or `asArray`).
    public static func variant(_ value: JSONValue, as type: OPCUABuiltInType, asArray: Bool = false) throws(Failure) -> Variant {
        var value = value
        // "[1, 2]" sent as text for an array node.
        if asArray, case .string(let text) = value, let parsed = try? JSONValue.parse(text), parsed.arrayValue != nil {
            value = parsed
        }
        if case .array(let elements) = value {
            var converted: [Variant] = []
            converted.reserveCapacity(elements.count)
            for element in elements { converted.append(try scalar(element, as: type)) }
            return .array(converted, of: type)
        }
        let single = try scalar(value, as: type)
        return asArray ? .array([single], of: type) : single
    }

    /// The Variant a JSON value makes when the node's type is unknown: the reference's guess
    /// (`true`/`false` → Boolean, a number with a point → Double, digits → Int64, text otherwise).
    public static func guessed(_ value: JSONValue) -> Variant {
        switch value {
        case .bool(let flag): return .boolean(flag)
        case .int(let number): return .int64(number)
        case .uint(let number): return .uint64(number)  // too large for Int64
        case .double(let number): return .double(number)
        case .string(let text):
            let lowered = text.lowercased()
            if lowered == "true" || lowered == "false" { return .boolean(lowered == "true") }
            if text.contains("."), let number = Double(text) { return .double(number) }
            if let number = Int64(text) { return .int64(number) }
            if let number = UInt64(text) { return .uint64(number) }  // too large for Int64
            return .string(text)
        case .null: return .null
        case .array(let elements):
            let converted = elements.map(guessed)
            return .array(converted, of: converted.first?.builtInType ?? .variant)
        case .object: return .string(value.jsonString)
        }
    }

    /// The Variant for a configured method argument `{"type": "integer", "value": 2}`.
    public static func argument(_ value: JSONValue, typeName: String) throws(Failure) -> Variant {
        switch typeName.lowercased() {
        case "int", "integer", "long", "int64":
            // An integer above Int64 (JSON keeps it up to 2^64 − 1) can only be a UInt64.
            if case .uint = value { return try scalar(value, as: .uint64) }
            return try scalar(value, as: .int64)
        case "int32": return try scalar(value, as: .int32)
        case "int16": return try scalar(value, as: .int16)
        case "uint", "uint32": return try scalar(value, as: .uint32)
        case "uint16": return try scalar(value, as: .uint16)
        case "uint64": return try scalar(value, as: .uint64)
        case "float": return try scalar(value, as: .float)
        case "double", "number": return try scalar(value, as: .double)
        case "bool", "boolean": return try scalar(value, as: .boolean)
        case "string", "str": return try scalar(value, as: .string)
        default: return guessed(value)
        }
    }

    static func scalar(_ value: JSONValue, as type: OPCUABuiltInType) throws(Failure) -> Variant {
        func fail() -> Failure {
            Failure(description: "cannot write \(ConfigReader.describe(value)) to a node of type \(type)")
        }
        switch type {
        case .boolean:
            if let flag = boolean(value) { return .boolean(flag) }
            throw fail()
        case .sbyte: return .sbyte(try integer(value, Int8.self, fail))
        case .byte: return .byte(try integer(value, UInt8.self, fail))
        case .int16: return .int16(try integer(value, Int16.self, fail))
        case .uint16: return .uint16(try integer(value, UInt16.self, fail))
        case .int32: return .int32(try integer(value, Int32.self, fail))
        case .uint32: return .uint32(try integer(value, UInt32.self, fail))
        case .int64: return .int64(try integer(value, Int64.self, fail))
        case .uint64: return .uint64(try integer(value, UInt64.self, fail))
        case .float:
            guard let number = double(value) else { throw fail() }
            return .float(Float(number))
        case .double:
            guard let number = double(value) else { throw fail() }
            return .double(number)
        case .string: return .string(text(value))
        case .xmlElement: return .xmlElement(text(value))
        case .localizedText: return .localizedText(LocalizedText(text: text(value)))
        case .qualifiedName:
            let name = text(value)
            if let colon = name.firstIndex(of: ":"), let index = UInt16(name[..<colon]) {
                return .qualifiedName(QualifiedName(namespace: index, name: String(name[name.index(after: colon)...])))
            }
            return .qualifiedName(QualifiedName(name: name))
        case .nodeId:
            guard let id = NodeId(text(value)) else { throw fail() }
            return .nodeId(id)
        case .guid:
            guard let guid = Guid(text(value)) else { throw fail() }
            return .guid(guid)
        case .byteString:
            guard let bytes = hexBytes(text(value)) else { throw fail() }
            return .byteString(bytes)
        case .dateTime:
            if let milliseconds = value.intValue { return .dateTime(OPCUADateTime(unixMilliseconds: milliseconds)) }
            guard case .string(let string) = value, let date = isoDate(string) else { throw fail() }
            return .dateTime(OPCUADateTime(date: date))
        case .variant, .null:
            return guessed(value)
        default:
            throw fail()
        }
    }

    private static func boolean(_ value: JSONValue) -> Bool? {
        switch value {
        case .bool(let flag): return flag
        case .int(let number): return number != 0
        case .uint: return true  // never zero: above Int64.max
        case .double(let number): return number != 0
        case .string(let text):
            switch text.lowercased().trimmingCharacters(in: .whitespaces) {
            case "true", "1", "yes", "y", "t", "on": return true
            case "false", "0", "no", "n", "f", "off": return false
            default: return nil
            }
        default: return nil
        }
    }

    private static func integer<I: FixedWidthInteger>(_ value: JSONValue, _ type: I.Type,
                                                      _ fail: () -> Failure) throws(Failure) -> I {
        switch value {
        case .int(let number):
            guard let result = I(exactly: number) else { throw fail() }
            return result
        case .uint(let number):
            guard let result = I(exactly: number) else { throw fail() }
            return result
        case .double(let number):
            guard number.rounded() == number, let result = I(exactly: number) else { throw fail() }
            return result
        case .bool(let flag):
            return flag ? 1 : 0
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if let result = I(trimmed) { return result }
            if let number = Double(trimmed), number.rounded() == number, let result = I(exactly: number) { return result }
            throw fail()
        default:
            throw fail()
        }
    }

    private static func double(_ value: JSONValue) -> Double? {
        switch value {
        case .int, .uint, .double: return value.doubleValue
        case .bool(let flag): return flag ? 1 : 0
        case .string(let text): return Double(text.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    private static func text(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.jsonString
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func isoDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
