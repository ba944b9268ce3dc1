/// A device's text encoding, named as Python names codecs (the reference decodes and encodes
/// with `bytes.decode(encoding)` / `bytes(text, encoding=...)`). Names are matched as Python
/// matches them: any case, `-`, `_` and spaces alike, and the common aliases (`utf8`, `latin1`,
/// `iso-8859-1`, `us-ascii`, ...). `hex` is the reference's extra: the bytes as lowercase hex pairs.
public enum SocketTextEncoding: String, Sendable, Equatable, CaseIterable {
    case utf8 = "utf-8"
    /// With a byte-order mark: decoding honours a BOM (little endian without one), encoding writes
    /// `FF FE` then little-endian units, as Python does on every common machine.
    case utf16 = "utf-16"
    case utf16LE = "utf-16-le"
    case utf16BE = "utf-16-be"
    case utf32 = "utf-32"
    case utf32LE = "utf-32-le"
    case utf32BE = "utf-32-be"
    case ascii
    case latin1 = "latin-1"
    case hex

    /// nil when Python knows no such codec (or it is one this gateway does not offer).
    public init?(pythonName: String) {
        switch Self.normalize(pythonName) {
        case "utf_8", "utf8", "u8", "utf", "utf8_ucs2", "utf8_ucs4", "cp65001": self = .utf8
        case "utf_16", "utf16", "u16": self = .utf16
        case "utf_16_le", "utf_16le", "unicodelittleunmarked": self = .utf16LE
        case "utf_16_be", "utf_16be", "unicodebigunmarked": self = .utf16BE
        case "utf_32", "utf32", "u32": self = .utf32
        case "utf_32_le", "utf_32le": self = .utf32LE
        case "utf_32_be", "utf_32be": self = .utf32BE
        case "ascii", "646", "us_ascii", "us", "cp367", "csascii", "ibm367", "iso646_us", "iso_ir_6",
             "ansi_x3.4_1968", "ansi_x3_4_1968", "ansi_x3.4_1986", "iso_646.irv_1991":
            self = .ascii
        case "latin_1", "latin1", "latin", "l1", "8859", "cp819", "csisolatin1", "ibm819", "iso8859",
             "iso8859_1", "iso_8859_1", "iso_8859_1_1987", "iso_ir_100":
            self = .latin1
        case "hex": self = .hex
        default: return nil
        }
    }

    /// Python's `encodings.normalize_encoding` plus lower-casing: runs of characters other than
    /// letters, digits and `.` become one `_`.
    static func normalize(_ name: String) -> String {
        var out = ""
        var pendingSeparator = false
        for character in name.lowercased() {
            if character.isLetter || character.isNumber || character == "." {
                if pendingSeparator && !out.isEmpty { out.append("_") }
                pendingSeparator = false
                out.append(character)
            } else {
                pendingSeparator = true
            }
        }
        return out
    }

    /// The names accepted in configs, for error messages.
    public static var acceptedNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    // MARK: decoding (device → gateway)

    /// The text of `bytes`, or nil where Python raises `UnicodeDecodeError`.
    public func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        switch self {
        case .utf8:
            return String(validating: bytes, as: UTF8.self)
        case .ascii:
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        case .latin1:
            var text = ""
            text.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
            return text
        case .hex:
            return Self.hexText(bytes)
        case .utf16, .utf16LE, .utf16BE:
            return decodeUTF16(bytes)
        case .utf32, .utf32LE, .utf32BE:
            return decodeUTF32(bytes)
        }
    }

    private func decodeUTF16(_ bytes: ArraySlice<UInt8>) -> String? {
        var body = bytes
        var bigEndian = self == .utf16BE
        if self == .utf16, body.count >= 2 {
            let first = body[body.startIndex], second = body[body.startIndex + 1]
            if first == 0xFF && second == 0xFE { body = body.dropFirst(2) }
            else if first == 0xFE && second == 0xFF { body = body.dropFirst(2); bigEndian = true }
        }
        guard body.count % 2 == 0 else { return nil }
        var units: [UInt16] = []
        units.reserveCapacity(body.count / 2)
        var index = body.startIndex
        while index < body.endIndex {
            let a = UInt16(body[index]), b = UInt16(body[index + 1])
            units.append(bigEndian ? (a << 8 | b) : (b << 8 | a))
            index += 2
        }
        return String(validating: units, as: UTF16.self)
    }

    private func decodeUTF32(_ bytes: ArraySlice<UInt8>) -> String? {
        var body = bytes
        var bigEndian = self == .utf32BE
        if self == .utf32, body.count >= 4 {
            let head = Array(body.prefix(4))
            if head == [0xFF, 0xFE, 0, 0] { body = body.dropFirst(4) }
            else if head == [0, 0, 0xFE, 0xFF] { body = body.dropFirst(4); bigEndian = true }
        }
        guard body.count % 4 == 0 else { return nil }
        var text = ""
        var index = body.startIndex
        while index < body.endIndex {
            let quad = (0..<4).map { UInt32(body[index + $0]) }
            let value = bigEndian ? (quad[0] << 24 | quad[1] << 16 | quad[2] << 8 | quad[3])
                                  : (quad[3] << 24 | quad[2] << 16 | quad[1] << 8 | quad[0])
            guard let scalar = Unicode.Scalar(value) else { return nil }
            text.unicodeScalars.append(scalar)
            index += 4
        }
        return text
    }

    // MARK: encoding (gateway → device)

    /// The bytes of `text`, or nil where Python raises `UnicodeEncodeError` (a character the
    /// encoding cannot hold). For `hex` the text is read as hex pairs (whitespace ignored).
    public func encode(_ text: String) -> [UInt8]? {
        switch self {
        case .utf8:
            return Array(text.utf8)
        case .ascii:
            let bytes = Array(text.utf8)
            return bytes.allSatisfy { $0 < 0x80 } ? bytes : nil
        case .latin1:
            var bytes: [UInt8] = []
            for scalar in text.unicodeScalars {
                guard scalar.value <= 0xFF else { return nil }
                bytes.append(UInt8(scalar.value))
            }
            return bytes
        case .hex:
            return Self.bytes(fromHex: text)
        case .utf16, .utf16LE, .utf16BE:
            var bytes: [UInt8] = self == .utf16 ? [0xFF, 0xFE] : []
            for unit in text.utf16 {
                let high = UInt8(unit >> 8), low = UInt8(unit & 0xFF)
                bytes.append(contentsOf: self == .utf16BE ? [high, low] : [low, high])
            }
            return bytes
        case .utf32, .utf32LE, .utf32BE:
            var bytes: [UInt8] = self == .utf32 ? [0xFF, 0xFE, 0, 0] : []
            for scalar in text.unicodeScalars {
                let value = scalar.value
                let little = [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
                bytes.append(contentsOf: self == .utf32BE ? little.reversed() : little)
            }
            return bytes
        }
    }

    // MARK: helpers

    static func hexText(_ bytes: ArraySlice<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(fromHex text: String) -> [UInt8]? {
        var nibbles: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibbles.append(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibbles.append(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibbles.append(byte - UInt8(ascii: "A") + 10)
            case 0x20, 0x09, 0x0A, 0x0D: continue
            default: return nil
            }
        }
        guard nibbles.count % 2 == 0 else { return nil }
        return stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
    }

    /// Python's `str(bytes)`, e.g. `b'\xff\x00ab'`: what the reference sends when the bytes do not
    /// decode.
    public static func pythonBytesRepr(_ bytes: ArraySlice<UInt8>) -> String {
        let hasSingle = bytes.contains(UInt8(ascii: "'")), hasDouble = bytes.contains(UInt8(ascii: "\""))
        let quote: UInt8 = hasSingle && !hasDouble ? UInt8(ascii: "\"") : UInt8(ascii: "'")
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [UInt8(ascii: "b"), quote]
        for byte in bytes {
            switch byte {
            case quote, UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case 0x09: out.append(contentsOf: Array("\\t".utf8))
            case 0x0A: out.append(contentsOf: Array("\\n".utf8))
            case 0x0D: out.append(contentsOf: Array("\\r".utf8))
            case 0x20..<0x7F: out.append(byte)
            default: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "x"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
            }
        }
        out.append(quote)
        return String(decoding: out, as: UTF8.self)
    }
}
