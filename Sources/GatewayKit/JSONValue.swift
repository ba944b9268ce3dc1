// Re-exported: every user of `JSONObject` needs OrderedDictionary in scope for literals.
@_exported import OrderedCollections

/// A JSON document held without Foundation: the gateway's hot paths (convert, store, publish)
/// build and read these directly instead of round-tripping through `JSONSerialization` and `Any`.
///
/// Integers from `Int64.min` to `UInt64.max` stay integers (ThingsBoard distinguishes long and
/// double datapoints); everything else numeric is a `Double`. Object keys keep their order.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    /// An integer above `Int64.max` up to `UInt64.max` (a 64-bit EUI sent as a number, a Modbus
    /// `64uint`, an OPC-UA UInt64). Its digits reach ThingsBoard unchanged, as the reference sends
    /// them (ThingsBoard stores such a value as text), instead of a rounded double. Never holds a
    /// value that fits `Int64`, so equal numbers have one spelling: build it with `integer(_:)`.
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

public typealias JSONObject = OrderedDictionary<String, JSONValue>

extension JSONValue {
    /// `.int` when the value fits `Int64`, otherwise `.uint`.
    public static func integer(_ value: UInt64) -> JSONValue {
        value <= UInt64(Int64.max) ? .int(Int64(value)) : .uint(value)
    }

    /// The whole number `value` holds as an integer, or nil when it has a fraction or lies
    /// outside Int64.min...UInt64.max.
    public static func integer(exactly value: Double) -> JSONValue? {
        if let exact = Int64(exactly: value) { return .int(exact) }
        if let exact = UInt64(exactly: value) { return .uint(exact) }
        return nil
    }

    /// The integer in the low `width` bits of `raw` (1...64): two's complement when `signed`,
    /// else unsigned, so 8 unsigned bytes reach 2^64 − 1 as Python's `int.from_bytes` does.
    public static func integer(bits raw: UInt64, width: Int, signed: Bool) -> JSONValue {
        guard signed else { return .integer(raw) }
        let negative = width < 64 && raw & (1 << (width - 1)) != 0
        return .int(Int64(bitPattern: negative ? raw | ~((1 << width) - 1) : raw))
    }

    /// An integer (`.int` or `.uint`) times `factor`, exactly as Python's int × int gives it, or
    /// nil when that is not an integer or the product leaves Int64.min...UInt64.max.
    public func multipliedExactly(by factor: Int64) -> JSONValue? {
        let negative: Bool
        let magnitude: UInt64
        switch self {
        case .int(let value): (negative, magnitude) = (value < 0, value.magnitude)
        case .uint(let value): (negative, magnitude) = (false, value)
        default: return nil
        }
        let (product, overflow) = magnitude.multipliedReportingOverflow(by: factor.magnitude)
        guard !overflow else { return nil }
        guard negative != (factor < 0), product != 0 else { return .integer(product) }
        guard product <= Int64.min.magnitude else { return nil }
        return .int(Int64(truncatingIfNeeded: 0 &- product))
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    /// The string, or nil for any other kind (no coercion).
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    /// An integer, also from a double that holds a whole number.
    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 9.2e18: return Int64(value)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .uint(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the kind, for error messages ("expected a number, found a string").
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .uint, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(uniqueKeysWithValues: elements))
    }
}

extension JSONValue {
    /// Equal as JSON documents: object keys in any order, and numbers by value (`5` and `5.0`).
    /// `==` compares key order too, which a round trip through another JSON library may change.
    public func isEquivalent(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.object(let left), .object(let right)):
            guard left.count == right.count else { return false }
            return left.allSatisfy { key, value in right[key].map { value.isEquivalent(to: $0) } ?? false }
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { $0.isEquivalent(to: $1) }
        // Exactly, like Python's `==`: 2^63 + 1 is not the double 2^63 its conversion rounds to.
        case (.int(let integer), .double(let double)), (.double(let double), .int(let integer)):
            return Int64(exactly: double) == integer
        case (.uint(let integer), .double(let double)), (.double(let double), .uint(let integer)):
            return UInt64(exactly: double) == integer
        default:
            return self == other
        }
    }
}
