/// Standard base64 (RFC 4648, with padding) for the file storage's line format; avoids
/// Foundation and intermediate `Data` copies on the hot path.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    static func encode(_ input: [UInt8], into out: inout [UInt8]) {
        var index = 0
        let count = input.count
        while index + 3 <= count {
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(alphabet[Int(value >> 6 & 63)])
            out.append(alphabet[Int(value & 63)])
            index += 3
        }
        let rest = count - index
        if rest == 1 {
            let value = UInt32(input[index]) << 16
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        } else if rest == 2 {
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(alphabet[Int(value >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        }
    }

    /// Decodes one line; nil when it is not valid base64 (the caller reports and skips it).
    static func decode(_ input: ArraySlice<UInt8>) -> [UInt8]? {
        let table = decodeTable
        return input.withUnsafeBufferPointer { bytes -> [UInt8]? in
            var count = bytes.count
            var padding = 0
            while count > 0, bytes[count - 1] == UInt8(ascii: "=") {
                count -= 1
                padding += 1
            }
            guard padding <= 2, bytes.count % 4 == 0 else { return nil }  // padded, like the reference writes
            return table.withUnsafeBufferPointer { table -> [UInt8]? in
                var out = [UInt8]()
                out.reserveCapacity(count * 3 / 4)
                var accumulator: UInt32 = 0
                var bits = 0
                for index in 0..<count {
                    let value = table[Int(bytes[index])]
                    if value == 0xFF { return nil }
                    accumulator = accumulator << 6 | UInt32(value)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                    }
                }
                return out
            }
        }
    }
}
