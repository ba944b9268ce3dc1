/// Byte-slice expressions of the bytes converters: `"[0:4]"`, `"[2]"`, `"[:]"`, `"[4:]"`,
/// `"[-2:]"`, possibly with text around (`"sensor-[0:2]"`); an expression without brackets is a
/// constant. Each bracket is replaced by the payload bytes it selects (Python slice semantics),
/// decoded as UTF-8, or as lowercase hex pairs in hex mode.
///
/// A bracket is what the reference's pattern `\[\S[0-9:]*]` finds. Deliberate differences: a
/// single index `[2]` without hex mode decodes that byte (the reference raises an error there),
/// and brackets that the reference would fail on at run time (`[a]`, `[1:2:3]`) are refused when
/// the config is loaded.
public struct ByteSliceExpression: Sendable {
    enum Part: Sendable, Equatable {
        case text(String)
        case index(Int)
        case slice(Int?, Int?)
    }

    public let source: String
    let parts: [Part]

    public init(_ source: String) throws(ExpressionError) {
        self.source = source
        var parts: [Part] = []
        let bytes = Array(source.utf8)
        var literalStart = 0
        var position = 0
        while position < bytes.count {
            guard bytes[position] == UInt8(ascii: "["), let end = Self.bracketEnd(bytes, from: position) else {
                position += 1
                continue
            }
            if literalStart < position {
                parts.append(.text(String(decoding: bytes[literalStart..<position], as: UTF8.self)))
            }
            let inner = String(decoding: bytes[(position + 1)..<end], as: UTF8.self)
            parts.append(try Self.part(inner, source: source))
            position = end + 1
            literalStart = position
        }
        if literalStart < bytes.count {
            parts.append(.text(String(decoding: bytes[literalStart...], as: UTF8.self)))
        }
        self.parts = parts
    }

    /// The index of the `]` closing a bracket opened at `start`, matching `\[\S[0-9:]*]`.
    private static func bracketEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        guard index < bytes.count, !isWhitespace(bytes[index]) else { return nil }
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "]") { return index }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ":") else { return nil }
            index += 1
        }
        return nil
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    private static func part(_ inner: String, source: String) throws(ExpressionError) -> Part {
        let pieces = inner.split(separator: ":", omittingEmptySubsequences: false)
        func bound(_ piece: Substring) throws(ExpressionError) -> Int? {
            if piece.isEmpty { return nil }
            guard let value = Int(piece) else {
                throw ExpressionError(expression: source, reason: "\"[\(inner)]\": \"\(piece)\" is not an integer")
            }
            return value
        }
        switch pieces.count {
        case 1:
            guard let index = try bound(pieces[0]) else {
                throw ExpressionError(expression: source, reason: "\"[\(inner)]\" has no index")
            }
            return .index(index)
        case 2:
            return .slice(try bound(pieces[0]), try bound(pieces[1]))
        default:
            throw ExpressionError(expression: source, reason: "\"[\(inner)]\": slice steps are not supported")
        }
    }

    /// True when the expression has no bracket.
    public var isConstant: Bool { !parts.contains { if case .text = $0 { return false } else { return true } } }

    /// The text with every bracket replaced; nil when a single index is out of range or the
    /// selected bytes are not valid UTF-8 (not in hex mode).
    public func evaluate(_ payload: [UInt8], hexMode: Bool) -> String? {
        var out = ""
        for part in parts {
            let selected: ArraySlice<UInt8>
            switch part {
            case .text(let text):
                out += text
                continue
            case .index(let index):
                guard let position = JSONPath.resolve(index, count: payload.count) else { return nil }
                selected = payload[position...position]
            case .slice(let start, let end):
                selected = payload[JSONPath.sliceRange(start, end, count: payload.count)]
            }
            if hexMode {
                Self.appendHex(selected, to: &out)
            } else {
                guard let text = String(validating: selected, as: UTF8.self) else { return nil }
                out += text
            }
        }
        return out
    }

    private static func appendHex(_ bytes: ArraySlice<UInt8>, to out: inout String) {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        out += String(decoding: hex, as: UTF8.self)
    }
}
