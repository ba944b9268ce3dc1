import Expressions
import GatewayKit

/// The built-in `bytes` converter: device name, keys and values are slices (`[0:4]`, `[4:]`,
/// `[2]`) of the raw payload, decoded as UTF-8 or, with `hexMode`, as lowercase hex.
///
/// Unlike the reference, which sends every value as text, a value is coerced to the entry's
/// `type` when it can be (`"25.5"` with type double is sent as the number 25.5); `raw`,
/// `string` and values that do not parse stay text.
struct BytesUplinkConverter: MQTTUplinkConverter {
    let spec: MQTTBytesConverterSpec

    func convert(_ message: MQTTUplinkMessage) throws(MQTTConversionError) -> [ConvertedData] {
        let payload = message.payloadBytes
        guard let deviceName = spec.deviceName.evaluate(topic: message.topic, payload: payload) else {
            throw MQTTConversionError("no device name: \(spec.deviceName) found nothing in \(payload.count) bytes")
        }
        var data = ConvertedData(deviceName: deviceName, deviceType: profile(topic: message.topic, payload: payload))
        var telemetry: JSONObject = [:]
        var problems: [String] = []
        for (datapoints, isTelemetry) in [(spec.attributes, false), (spec.timeseries, true)] {
            for datapoint in datapoints {
                guard let key = key(datapoint, topic: message.topic, payload: payload) else {
                    problems.append("key \(datapoint.key) found nothing")
                    continue
                }
                guard let text = datapoint.valueExpression.evaluate(payload, hexMode: datapoint.hexMode) else {
                    problems.append("value \(datapoint.value) of key \(key) is out of range or not UTF-8")
                    continue
                }
                let value = typed(text, datapoint)
                if isTelemetry { telemetry[key] = value } else { data.attributes[key] = value }
                if let strategy = datapoint.reportStrategy { data.keyReportStrategies[key] = strategy }
            }
        }
        if !telemetry.isEmpty {
            // The reference stamps bytes readings with the time of conversion; the time of
            // receipt is the same moment without the queueing delay.
            data.telemetry = [TelemetryEntry(ts: message.receivedAt, values: telemetry)]
        }
        guard problems.isEmpty else {
            throw MQTTConversionError(problems.joined(separator: "; "), partial: data.isEmpty ? [] : [data])
        }
        return data.isEmpty ? [] : [data]
    }

    private func key(_ datapoint: MQTTBytesDatapoint, topic: String, payload: [UInt8]) -> String? {
        let key: String? = switch datapoint.keyEvaluator {
        case .slice(let expression): expression.evaluate(payload, hexMode: datapoint.hexMode)
        case .topic(let expression): expression.evaluate(topic: topic)
        }
        guard let key, !key.isEmpty else { return nil }
        return key
    }

    private func typed(_ text: String, _ datapoint: MQTTBytesDatapoint) -> JSONValue {
        switch datapoint.valueType {
        case .raw, .string: return .string(text)
        case .integer where datapoint.hexMode:
            // Hex digits are a number in base 16 ("0010" is 16, not 10); more than 64 bits: text.
            return UInt64(text, radix: 16).map(JSONValue.integer) ?? .string(text)
        case .double where datapoint.hexMode:
            return UInt64(text, radix: 16).map { .double(Double($0)) } ?? .string(text)
        case .boolean where datapoint.hexMode:
            return .string(text)
        default: return datapoint.valueType.coerce(.string(text)) ?? .string(text)
        }
    }

    private func profile(topic: String, payload: [UInt8]) -> String {
        guard let profile = spec.deviceProfile else { return "default" }
        if let found = profile.evaluate(topic: topic, payload: payload) { return found }
        return profile.source == .topic ? profile.expression : "default"
    }
}
