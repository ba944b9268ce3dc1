/// When a datapoint is forwarded to ThingsBoard (reference §4.2). Configured as
/// `{"type": "ON_CHANGE", "reportPeriod": 10000, "ttl": 86400}` at key, device, connector or
/// main level; the most specific one wins.
public struct ReportStrategy: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Every value is forwarded.
        case onReceived = "ON_RECEIVED"
        /// The first value and every value that differs from the last forwarded one.
        case onChange = "ON_CHANGE"
        /// The first value, then the latest value once every `reportPeriod`, stamped with the
        /// time of sending.
        case onReportPeriod = "ON_REPORT_PERIOD"
        /// Both of the above.
        case onChangeOrReportPeriod = "ON_CHANGE_OR_REPORT_PERIOD"
        /// Report strategies are off: every value is forwarded (main section only in the
        /// reference; accepted at every level here and means the same).
        case disabled = "DISABLED"
    }

    public var kind: Kind
    /// Milliseconds between periodic reports.
    public var reportPeriodMs: Int64
    /// Seconds after which a cached value for a key that no longer reports is forgotten.
    public var ttlSeconds: Int64

    public static let defaultReportPeriodMs: Int64 = 10_000
    public static let defaultTTLSeconds: Int64 = 86_400

    public init(kind: Kind, reportPeriodMs: Int64 = ReportStrategy.defaultReportPeriodMs,
                ttlSeconds: Int64 = ReportStrategy.defaultTTLSeconds) {
        self.kind = kind
        self.reportPeriodMs = reportPeriodMs
        self.ttlSeconds = ttlSeconds
    }

    public static let onReceived = ReportStrategy(kind: .onReceived)

    /// Parses a `reportStrategy` object. `reportPeriod` is required for the periodic kinds, as
    /// the reference requires it there.
    public init(_ reader: ConfigReader) throws(ConfigError) {
        let typeName = try reader.choice("type", of: Kind.allCases.map(\.rawValue), default: nil)
        let kind = Kind(rawValue: typeName) ?? .onReceived
        let periodic = kind == .onReportPeriod || kind == .onChangeOrReportPeriod
        let period = try reader.int64("reportPeriod", default: periodic ? nil : Self.defaultReportPeriodMs,
                                      in: 1...Int64.max)
        let ttl = try reader.int64("ttl", default: Self.defaultTTLSeconds, in: 0...Int64.max)
        self.init(kind: kind, reportPeriodMs: period, ttlSeconds: ttl)
    }

    /// The `reportStrategy` key of `reader`'s object, or nil when it has none.
    public static func parse(in reader: ConfigReader, key: String = "reportStrategy") throws(ConfigError) -> ReportStrategy? {
        guard let child = try reader.child(key) else { return nil }
        return try ReportStrategy(child)
    }
}
