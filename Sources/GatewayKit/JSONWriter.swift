/// Compact JSON serialisation (no spaces, like the reference's orjson output), written straight
/// into a byte array. Doubles use Swift's shortest round-trip form; non-finite doubles become
/// `null` because JSON has no spelling for them.
extension JSONValue {
    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: JSONWriter.nullBytes)
        case .bool(let value): out.append(contentsOf: value ? JSONWriter.trueBytes : JSONWriter.falseBytes)
        case .int(let value): JSONWriter.writeInteger(value, into: &out)
        case .uint(let value): JSONWriter.writeDigits(value, into: &out)
        case .double(let value): JSONWriter.writeDouble(value, into: &out)
        case .string(let value): JSONWriter.writeString(value, into: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            JSONWriter.writeObject(object, into: &out)
        }
    }

    /// The compact JSON text as bytes.
    public var jsonBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(into: &out)
        return out
    }

    /// The compact JSON text.
    public var jsonString: String { String(decoding: jsonBytes, as: UTF8.self) }
}

public enum JSONWriter {
    static let nullBytes: [UInt8] = Array("null".utf8)
    static let trueBytes: [UInt8] = Array("true".utf8)
    static let falseBytes: [UInt8] = Array("false".utf8)

    public static func writeObject(_ object: JSONObject, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for (key, value) in object {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            writeString(key, into: &out)
            out.append(UInt8(ascii: ":"))
            value.write(into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    public static func writeInteger(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        writeDigits(value.magnitude, into: &out)
    }

    /// The decimal digits of `magnitude`.
    public static func writeDigits(_ magnitude: UInt64, into out: inout [UInt8]) {
        if magnitude == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = magnitude
        // Digits are produced backwards into a fixed tuple-sized scratch, then copied once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { scratch in
            var index = 20
            while magnitude > 0 {
                index -= 1
                scratch[index] = UInt8(truncatingIfNeeded: magnitude % 10) + UInt8(ascii: "0")
                magnitude /= 10
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[index..<20]))
        }
    }

    public static func writeDouble(_ value: Double, into out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(contentsOf: nullBytes)
            return
        }
        // Whole numbers keep a ".0" so that a double datapoint stays a double on the server.
        out.append(contentsOf: value.description.utf8)
    }

    public static func writeString(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                runStart = index + 1
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                            hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                }
            }
            if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}
