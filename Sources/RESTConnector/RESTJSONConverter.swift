import Expressions
import GatewayKit

/// The built-in `json` converter: each record (a JSON object of the request: body fields merged
/// with path variables and query parameters) becomes one device's readings.
public struct RESTJSONConverter: Sendable {
    public let deviceName: RESTDeviceExpression
    public let deviceProfile: RESTDeviceExpression?
    let mapper: JSONDatapointMapper

    /// One record's readings; nil when the mapping finds no datapoint in it (nothing to send,
    /// not an error, as in the reference).
    func convert(_ record: JSONValue, receivedAt: Int64) throws(RESTConversionError) -> ConvertedData? {
        guard let name = deviceName.evaluate(in: record) else {
            throw RESTConversionError("no device name: \(deviceName) found nothing in the request")
        }
        let mapped = mapper.apply(to: record, topic: nil, receivedAt: receivedAt, useReceivedTs: false)
        guard !mapped.isEmpty else { return nil }
        return ConvertedData(deviceName: name, deviceType: deviceProfile?.evaluate(in: record) ?? "default",
                             telemetry: mapped.telemetry.filter { !$0.values.isEmpty },
                             attributes: mapped.attributes, keyReportStrategies: mapped.keyReportStrategies)
    }
}
