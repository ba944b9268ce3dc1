import GatewayKit
import Modbus

/// Turns one poll's responses into the device's readings: each item's slice of its request's
/// answer, decoded with the item's format; attributes and timeseries by their section; telemetry
/// stamped with the read time, as the reference does.
enum ModbusUplink {
    struct Result {
        var data: ConvertedData
        /// Keys whose registers or bits arrived but gave no value (too few for the type, a float
        /// that is NaN or infinite, a divider or multiplier the value cannot take).
        var undecodedKeys: [String]
    }

    static func convert(plan: ModbusReadPlan, responses: [ModbusResponse?], device: ModbusDeviceConfiguration,
                        readAt: Int64) -> Result {
        let items = device.readItems
        // Decoded per item first, then emitted in configuration order (as the reference's
        // dictionaries are), whatever order the planner read them in.
        var decoded = [JSONValue?](repeating: nil, count: items.count)
        var undecodedKeys: [String] = []
        for (request, response) in zip(plan.requests, responses) {
            switch response {
            case .registers(let registers)?:
                plan.forEachItem(of: request, response: registers, items: items) { index, slice in
                    decoded[index] = items[index].format.decode(registers: slice)
                    if decoded[index] == nil { undecodedKeys.append(items[index].key) }
                }
            case .bits(let bits)?:
                plan.forEachItem(of: request, response: bits, items: items) { index, slice in
                    decoded[index] = items[index].format.decode(bits: slice)
                    if decoded[index] == nil { undecodedKeys.append(items[index].key) }
                }
            case .writeAcknowledged?, nil:
                continue
            }
        }
        let attributeCount = device.attributes.count
        var attributes: JSONObject = [:]
        var telemetry: JSONObject = [:]
        var keyStrategies: [String: ReportStrategy] = [:]
        for (index, value) in decoded.enumerated() {
            guard let value else { continue }
            let item = items[index]
            if index < attributeCount { attributes[item.key] = value } else { telemetry[item.key] = value }
            if let strategy = item.reportStrategy { keyStrategies[item.key] = strategy }
        }
        let data = ConvertedData(deviceName: device.deviceName, deviceType: device.deviceType,
                                 telemetry: telemetry.isEmpty ? [] : [TelemetryEntry(ts: readAt, values: telemetry)],
                                 attributes: attributes, reportStrategy: device.reportStrategy,
                                 keyReportStrategies: keyStrategies)
        return Result(data: data, undecodedKeys: undecodedKeys)
    }
}
