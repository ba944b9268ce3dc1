import Foundation

/// An OPC UA DateTime: Int64 count of 100 ns ticks since 1601-01-01 UTC (Part 6 §5.2.2.5).
/// 0 means "no time"; the wire value is kept exactly, `date` bridges to Foundation for display.
public struct OPCUADateTime: Hashable, Sendable, Comparable {
    public var ticks: Int64

    public init(ticks: Int64) { self.ticks = ticks }

    /// Ticks between 1601-01-01 and 1970-01-01.
    public static let unixEpochTicks: Int64 = 116_444_736_000_000_000
    public static let null = OPCUADateTime(ticks: 0)

    public init(date: Date) {
        let sinceUnix = (date.timeIntervalSince1970 * 10_000_000).rounded()
        // Dates beyond the Int64 range (only distantPast/Future-like values) become "no time".
        ticks = sinceUnix.magnitude < 9.0e18 ? Self.unixEpochTicks &+ Int64(sinceUnix) : 0
    }

    public init(unixMilliseconds: Int64) {
        ticks = Self.unixEpochTicks &+ unixMilliseconds &* 10_000
    }

    public static var now: OPCUADateTime { OPCUADateTime(date: Date()) }

    public var isNull: Bool { ticks == 0 }

    /// Milliseconds since 1970 (what ThingsBoard timestamps use); no Foundation needed.
    public var unixMilliseconds: Int64 { (ticks &- Self.unixEpochTicks) / 10_000 }

    public var date: Date { Date(timeIntervalSince1970: Double(ticks &- Self.unixEpochTicks) / 10_000_000) }

    public static func < (lhs: OPCUADateTime, rhs: OPCUADateTime) -> Bool { lhs.ticks < rhs.ticks }
}

extension OPCUADateTime: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) { ticks = try reader.readInteger() }
    public func encode(to writer: inout OPCUABinaryWriter) { writer.writeInteger(ticks) }
}
