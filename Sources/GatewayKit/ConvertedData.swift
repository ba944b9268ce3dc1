/// One device's readings as a connector hands them to the gateway: the unified format every
/// converter produces (reference §4.1). Telemetry entries keep their order; an entry whose `ts`
/// is nil gets its time stamped by the gateway when it is accepted.
public struct ConvertedData: Sendable, Equatable {
    public var deviceName: String
    public var deviceType: String
    public var telemetry: [TelemetryEntry]
    public var attributes: JSONObject
    /// The device-level report strategy (a mapping or device entry's `reportStrategy`), or nil
    /// to use the connector's, then the gateway's.
    public var reportStrategy: ReportStrategy?
    /// Key-level report strategies (a key entry's `reportStrategy`), the most specific level.
    public var keyReportStrategies: [String: ReportStrategy]

    public init(deviceName: String, deviceType: String = "default",
                telemetry: [TelemetryEntry] = [], attributes: JSONObject = [:],
                reportStrategy: ReportStrategy? = nil, keyReportStrategies: [String: ReportStrategy] = [:]) {
        self.deviceName = deviceName
        self.deviceType = deviceType
        self.telemetry = telemetry
        self.attributes = attributes
        self.reportStrategy = reportStrategy
        self.keyReportStrategies = keyReportStrategies
    }

    public var datapointCount: Int {
        attributes.count + telemetry.reduce(0) { $0 + $1.values.count }
    }

    public var isEmpty: Bool { datapointCount == 0 }
}

public struct TelemetryEntry: Sendable, Equatable {
    /// Milliseconds since the Unix epoch, or nil for "now".
    public var ts: Int64?
    public var values: JSONObject

    public init(ts: Int64? = nil, values: JSONObject) {
        self.ts = ts
        self.values = values
    }
}
