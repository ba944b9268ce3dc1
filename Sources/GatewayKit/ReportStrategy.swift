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

    /// Parses a `reportStrategy` object as leniently as the reference where that is sane: `type`
    /// in any case (`on_change`), `ON_RECEIVED` when absent; `reportPeriod` read only for the
    /// periodic kinds (the reference drops it for the others, so `"reportPeriod": 0` there is no
    /// error) and 10,000 ms when absent (the reference's main-section default; at the other levels
    /// it would report every millisecond). A `type` it does not know, a period below 1 ms or a
    /// negative `ttl` remain errors naming the key.
    public init(_ reader: ConfigReader) throws(ConfigError) {
        let kind = Kind(rawValue: try reader.choiceIgnoringCase("type", of: Kind.allCases.map(\.rawValue),
                                                                 default: Kind.onReceived.rawValue)) ?? .onReceived
        let periodic = kind == .onReportPeriod || kind == .onChangeOrReportPeriod
        let period = periodic
            ? try reader.int64("reportPeriod", default: Self.defaultReportPeriodMs, in: 1...Int64.max)
            : Self.defaultReportPeriodMs
        let ttl = try reader.int64("ttl", default: Self.defaultTTLSeconds, in: 0...Int64.max)
        self.init(kind: kind, reportPeriodMs: period, ttlSeconds: ttl)
    }

    /// The `reportStrategy` key of `reader`'s object, or nil when it has none. Below the main
    /// section (`mainSection` false) an object with neither `type` nor `reportPeriod` (`{}`,
    /// `{"ttl": 60}`) is not a strategy either, so the next level applies, as in the reference;
    /// a `reportPeriod` without a `type` is an error (the reference cannot start such a
    /// connector). In the main section a missing `type` is `ON_RECEIVED`.
    public static func parse(in reader: ConfigReader, key: String = "reportStrategy",
                             mainSection: Bool = false) throws(ConfigError) -> ReportStrategy? {
        guard let child = try reader.child(key) else { return nil }
        if !mainSection, child.value("type") == nil || child.value("type") == .null {
            guard let period = child.value("reportPeriod"), period != .null else { return nil }
            throw child.failure("type", expected: "a report strategy type (ON_RECEIVED, ON_CHANGE, ON_REPORT_PERIOD, "
                                    + "ON_CHANGE_OR_REPORT_PERIOD or DISABLED) beside reportPeriod", found: nil)
        }
        return try ReportStrategy(child)
    }
}
