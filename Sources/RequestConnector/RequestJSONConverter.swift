import Expressions
import GatewayKit

/// The `json` converter (reference `JsonRequestUplinkConverter`): device name and profile from
/// the record, `attributes` and `telemetry` (also spelt `timeseries`) through the shared
/// JSON datapoint mapping (expression language: Sources/Expressions/README.md).
struct RequestJSONConverter: RequestUplinkConverter {
    let naming: RequestDeviceNaming
    let datapoints: JSONDatapointMapper
    let reportStrategy: ReportStrategy?

    init(_ converter: ConfigReader, reportStrategy: ReportStrategy?) throws(ConfigError) {
        naming = try RequestDeviceNaming(converter)
        if try converter.bool("useEval", default: false) {
            throw converter.failure("useEval", expected: "false or absent (Python eval of values is not supported)",
                                    found: .bool(true))
        }
        let telemetryKey = converter.has("telemetry") || !converter.has("timeseries") ? "telemetry" : "timeseries"
        datapoints = JSONDatapointMapper(attributes: try DatapointMapping.list("attributes", in: converter),
                                         timeseries: try DatapointMapping.list(telemetryKey, in: converter))
        self.reportStrategy = reportStrategy
    }

    struct NotJSON: Error, CustomStringConvertible {
        var description: String { "the answer is not JSON (the json converter needs JSON)" }
    }

    func convert(_ record: RequestRecord) throws -> [ConvertedData] {
        guard let json = record.json else { throw NotJSON() }
        let mapped = datapoints.apply(to: json, topic: nil, receivedAt: record.receivedAt, useReceivedTs: false)
        guard !mapped.isEmpty else { return [] }
        return [ConvertedData(deviceName: naming.deviceName(in: json), deviceType: naming.deviceType(in: json),
                              telemetry: mapped.telemetry.filter { !$0.values.isEmpty }, attributes: mapped.attributes,
                              reportStrategy: reportStrategy, keyReportStrategies: mapped.keyReportStrategies)]
    }
}
