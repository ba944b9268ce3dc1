import NIOCore

/// A 16-byte GUID (Part 6 §5.2.2.7): Data1 UInt32, Data2/Data3 UInt16 little-endian, Data4 eight raw bytes.
/// Text form is the usual `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX` (upper-case hex when printed).
public struct Guid: Hashable, Sendable, CustomStringConvertible {
    public var data1: UInt32
    public var data2: UInt16
    public var data3: UInt16
    public var data4: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

    public init(data1: UInt32, data2: UInt16, data3: UInt16, data4: [UInt8]) {
        precondition(data4.count == 8, "Guid data4 is 8 bytes")
        self.data1 = data1
        self.data2 = data2
        self.data3 = data3
        self.data4 = (data4[0], data4[1], data4[2], data4[3], data4[4], data4[5], data4[6], data4[7])
    }

    public var data4Bytes: [UInt8] { [data4.0, data4.1, data4.2, data4.3, data4.4, data4.5, data4.6, data4.7] }

    /// Parses `09087e75-8e5e-499b-954f-f2a9603db28a` (case-insensitive, optional braces).
    public init?(_ text: some StringProtocol) {
        var hex = Array(text.utf8)
        if hex.first == UInt8(ascii: "{"), hex.last == UInt8(ascii: "}") { hex = Array(hex.dropFirst().dropLast()) }
        guard hex.count == 36 else { return nil }
        for dash in [8, 13, 18, 23] where hex[dash] != UInt8(ascii: "-") { return nil }
        var nibbles: [UInt8] = []
        nibbles.reserveCapacity(32)
        for (index, char) in hex.enumerated() where ![8, 13, 18, 23].contains(index) {
            guard let nibble = Self.nibble(char) else { return nil }
            nibbles.append(nibble)
        }
        func value(_ range: Range<Int>) -> UInt64 { nibbles[range].reduce(0) { $0 << 4 | UInt64($1) } }
        var data4: [UInt8] = []
        for index in stride(from: 16, to: 32, by: 2) { data4.append(nibbles[index] << 4 | nibbles[index + 1]) }
        self.init(data1: UInt32(value(0..<8)), data2: UInt16(value(8..<12)), data3: UInt16(value(12..<16)),
                  data4: data4)
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    public var description: String {
        func hex<I: FixedWidthInteger>(_ value: I, digits: Int) -> String {
            let text = String(value, radix: 16, uppercase: true)
            return String(repeating: "0", count: digits - text.count) + text
        }
        let bytes = data4Bytes
        return hex(data1, digits: 8) + "-" + hex(data2, digits: 4) + "-" + hex(data3, digits: 4) + "-"
            + bytes[0..<2].map { hex($0, digits: 2) }.joined() + "-" + bytes[2...].map { hex($0, digits: 2) }.joined()
    }

    public static func == (lhs: Guid, rhs: Guid) -> Bool {
        lhs.data1 == rhs.data1 && lhs.data2 == rhs.data2 && lhs.data3 == rhs.data3 && lhs.data4Bytes == rhs.data4Bytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(data1)
        hasher.combine(data2)
        hasher.combine(data3)
        hasher.combine(data4Bytes)
    }
}

extension Guid: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        data1 = try reader.readInteger()
        data2 = try reader.readInteger()
        data3 = try reader.readInteger()
        let bytes = try reader.readBytes(count: 8)
        data4 = (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7])
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.writeInteger(data1)
        writer.writeInteger(data2)
        writer.writeInteger(data3)
        writer.buffer.writeBytes(data4Bytes)
    }
}
