import OPCUA

/// Text forms the reference's converter produces for OPC-UA values (asyncua `to_string()`,
/// Python `datetime.isoformat()`, `bytes.hex()`, `str(uuid)`).
enum OPCUAValueText {
    /// `2024-05-01T12:30:00.250000+00:00`, or without the fraction when it is zero — what Python's
    /// `isoformat()` writes for asyncua's UTC datetimes (microsecond resolution).
    static func isoformat(_ time: OPCUADateTime) -> String {
        // 100 ns ticks since 1601-01-01 → microseconds since 1970-01-01 (floored).
        let microseconds = floorDivide(time.ticks &- OPCUADateTime.unixEpochTicks, 10)
        let seconds = floorDivide(microseconds, 1_000_000)
        let fraction = microseconds - seconds * 1_000_000
        let days = floorDivide(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay % 3600 / 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if fraction != 0 { text += "." + pad(fraction, 6) }
        return text + "+00:00"
    }

    /// Lower-case hex, two digits per byte (`bytes.hex()`).
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `ns=2;i=5`, `i=85` (asyncua `NodeId.to_string()`).
    static func nodeId(_ id: NodeId) -> String { id.description }

    /// `ns=2;i=5;srv=1;nsu=urn:x` (asyncua `ExpandedNodeId.to_string()`).
    static func expandedNodeId(_ id: ExpandedNodeId) -> String {
        var parts = [id.nodeId.description]
        if id.serverIndex != 0 { parts.append("srv=\(id.serverIndex)") }
        if let uri = id.namespaceURI, !uri.isEmpty { parts.append("nsu=\(uri)") }
        return parts.joined(separator: ";")
    }

    /// `2:Temperature` — always with the namespace index, as asyncua writes it.
    static func qualifiedName(_ name: QualifiedName) -> String { "\(name.namespace):\(name.name ?? "None")" }

    /// A status code's symbolic name (`Good`, `BadNodeIdUnknown`), or its hex value when unnamed.
    static func statusName(_ status: StatusCode) -> String {
        status.name ?? "0x" + String(status.rawValue, radix: 16, uppercase: true)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(abs(value))
        let sign = value < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
