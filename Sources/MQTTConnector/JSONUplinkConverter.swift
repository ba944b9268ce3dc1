import Expressions
import GatewayKit

/// The built-in `json` converter: the payload is a JSON object, or an array of objects (one
/// reading per element, merged per device in order of first appearance).
struct JSONUplinkConverter: MQTTUplinkConverter {
    let spec: MQTTJSONConverterSpec

    func convert(_ message: MQTTUplinkMessage) throws(MQTTConversionError) -> [ConvertedData] {
        let document: JSONValue
        do {
            document = try JSONValue.parse(message.payload.readableBytesView)
        } catch {
            // As the reference, which decodes payloads with errors="ignore": bytes that are not
            // UTF-8 are dropped rather than losing the whole reading.
            guard let cleaned = UTF8Ignoring.cleaned(message.payload.readableBytesView),
                  let repaired = try? JSONValue.parse(cleaned) else {
                throw MQTTConversionError("payload is not JSON: \(error)")
            }
            document = repaired
        }
        switch document {
        case .object:
            return try convertRecord(document, message: message).map { [$0] } ?? []
        case .array(let elements):
            return try convertArray(elements, message: message)
        default:
            throw MQTTConversionError("payload is JSON \(document.kindName), expected an object or an array of objects")
        }
    }

    private func convertArray(_ elements: [JSONValue], message: MQTTUplinkMessage) throws(MQTTConversionError)
        -> [ConvertedData]
    {
        var devices: [ConvertedData] = []
        var indexByName: [String: Int] = [:]
        var problems: [String] = []
        for (position, element) in elements.enumerated() {
            guard case .object = element else {
                problems.append("element \(position) is \(element.kindName), expected an object")
                continue
            }
            let converted: ConvertedData?
            do {
                converted = try convertRecord(element, message: message)
            } catch {
                problems.append("element \(position): \(error.reason)")
                continue
            }
            guard let converted else { continue }
            if let index = indexByName[converted.deviceName] {
                devices[index].telemetry += converted.telemetry
                devices[index].attributes.merge(converted.attributes) { _, new in new }
                devices[index].keyReportStrategies.merge(converted.keyReportStrategies) { _, new in new }
            } else {
                indexByName[converted.deviceName] = devices.count
                devices.append(converted)
            }
        }
        guard problems.isEmpty else {
            let shown = problems.prefix(3).joined(separator: "; ")
            let more = problems.count > 3 ? " (and \(problems.count - 3) more)" : ""
            throw MQTTConversionError("\(problems.count) of \(elements.count) array elements unusable: \(shown)\(more)",
                                      partial: devices)
        }
        return devices
    }

    /// One object's readings; nil when the mapping finds no datapoint in it (nothing to send,
    /// not an error: the reference also stays silent).
    private func convertRecord(_ record: JSONValue, message: MQTTUplinkMessage) throws(MQTTConversionError)
        -> ConvertedData?
    {
        guard let deviceName = spec.deviceName.evaluate(topic: message.topic, message: record) else {
            throw MQTTConversionError("no device name: \(spec.deviceName) found nothing")
        }
        let mapped = spec.mapper.apply(to: record, topic: message.topic, receivedAt: message.receivedAt,
                                       useReceivedTs: spec.useReceivedTs)
        guard !mapped.isEmpty else { return nil }
        return ConvertedData(deviceName: deviceName,
                             deviceType: resolveProfile(topic: message.topic, record: record),
                             telemetry: mapped.telemetry.filter { !$0.values.isEmpty },
                             attributes: mapped.attributes, keyReportStrategies: mapped.keyReportStrategies)
    }

    /// A profile expression that finds nothing falls back to "default"; a topic regex that does
    /// not match falls back to the expression text, as the reference does (old configs rely on
    /// `deviceTypeTopicExpression: "Thermometer"` meaning a constant).
    private func resolveProfile(topic: String, record: JSONValue) -> String {
        guard let profile = spec.deviceProfile else { return "default" }
        if let found = profile.evaluate(topic: topic, message: record) { return found }
        return profile.source == .topic ? profile.expression : "default"
    }
}
