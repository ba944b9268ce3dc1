import GatewayKit
@testable import Reporting

/// Shorthands for the tests: strategies, messages and a comparable view of `due` results.
extension ReportStrategy {
    static let onChange = ReportStrategy(kind: .onChange)
    static func period(_ ms: Int64, ttl: Int64 = ReportStrategy.defaultTTLSeconds) -> ReportStrategy {
        ReportStrategy(kind: .onReportPeriod, reportPeriodMs: ms, ttlSeconds: ttl)
    }
    static func changeOrPeriod(_ ms: Int64, ttl: Int64 = ReportStrategy.defaultTTLSeconds) -> ReportStrategy {
        ReportStrategy(kind: .onChangeOrReportPeriod, reportPeriodMs: ms, ttlSeconds: ttl)
    }
}

func telemetry(_ values: JSONObject, ts: Int64? = nil, device: String = "Dev A", type: String = "default",
               strategy: ReportStrategy? = nil, keys: [String: ReportStrategy] = [:]) -> ConvertedData {
    ConvertedData(deviceName: device, deviceType: type, telemetry: [TelemetryEntry(ts: ts, values: values)],
                  reportStrategy: strategy, keyReportStrategies: keys)
}

func attributes(_ values: JSONObject, device: String = "Dev A", strategy: ReportStrategy? = nil) -> ConvertedData {
    ConvertedData(deviceName: device, attributes: values, reportStrategy: strategy)
}

/// One periodic report as a user would see it on ThingsBoard.
struct Report: Equatable, CustomStringConvertible {
    var connector: String
    var data: ConvertedData

    var description: String { "\(connector): \(data)" }
}

extension ReportFilter {
    /// `due(now:)` in a form `#expect` can compare.
    mutating func reports(now: Int64) -> [Report] {
        due(now: now).map { Report(connector: $0.connector, data: $0.data) }
    }

    /// The values of the single telemetry entry forwarded for `data`, or nil when nothing was.
    mutating func forwardedTelemetry(_ data: ConvertedData, from connector: String = "mqtt", now: Int64) -> JSONObject? {
        admit(data, from: connector, now: now)?.telemetry.first?.values
    }
}

func report(_ connector: String = "mqtt", device: String = "Dev A", type: String = "default", ts: Int64,
            telemetry values: JSONObject = [:], attributes: JSONObject = [:]) -> Report {
    Report(connector: connector,
           data: ConvertedData(deviceName: device, deviceType: type,
                               telemetry: values.isEmpty ? [] : [TelemetryEntry(ts: ts, values: values)],
                               attributes: attributes))
}
