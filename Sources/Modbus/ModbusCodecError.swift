/// Bytes that are not valid Modbus: a bad frame, a PDU that does not match its request, a request
/// this stack refuses to encode. The message says what was wrong and what was found.
public struct ModbusCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The framer lost its place in a byte stream (MBAP with an impossible length): what follows
    /// cannot be trusted, so a stream connection should be closed.
    public var lostStreamPosition: Bool
    public init(_ message: String, lostStreamPosition: Bool = false) {
        self.message = message
        self.lostStreamPosition = lostStreamPosition
    }
    public var description: String { message }
}

extension Array where Element == UInt8 {
    /// Hex dump for error messages, shortened so a flood of garbage does not flood the log.
    var hexDump: String {
        let shown = prefix(32).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: " ")
        return count > 32 ? shown + " … (\(count) bytes)" : shown
    }
}
