/// Checking JSON text without building values: the uplink validates stored telemetry this way
/// and then publishes the bytes as they are, instead of parsing them and writing them again.
/// Accepts the same grammar as `parseValue` (nesting limit included).
extension JSONByteParser {
    /// Moves past one value.
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): _ = try skipObject(depth: depth + 1)
        case UInt8(ascii: "["): try skipArray(depth: depth + 1)
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
        }
    }

    /// Moves past an object (the cursor on its `{`) and returns its number of members.
    mutating func skipObject(depth: Int) throws(JSONParseError) -> Int {
        guard depth <= JSONValue.maximumNestingDepth else { throw error("nesting deeper than \(JSONValue.maximumNestingDepth)") }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return 0
        }
        var members = 0
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            try skipString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
            index += 1
            skipWhitespace()
            try skipValue(depth: depth)
            members += 1
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an object") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return members
            default: throw error("expected ',' or '}' in an object")
            }
        }
    }

    mutating func skipArray(depth: Int) throws(JSONParseError) {
        guard depth <= JSONValue.maximumNestingDepth else { throw error("nesting deeper than \(JSONValue.maximumNestingDepth)") }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try skipValue(depth: depth)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an array") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return
            default: throw error("expected ',' or ']' in an array")
            }
        }
    }

    /// Plain ASCII strings are only scanned; one with an escape or a non-ASCII byte is handed to
    /// `parseString`, which checks escapes, surrogates and UTF-8 (and allocates, rarely).
    mutating func skipString() throws(JSONParseError) {
        let quote = index
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return
            }
            if byte == UInt8(ascii: "\\") || byte >= 0x80 {
                index = quote
                _ = try parseString()
                return
            }
            if byte < 0x20 { throw error("control character in a string") }
            index += 1
        }
        throw error("unterminated string")
    }
}
