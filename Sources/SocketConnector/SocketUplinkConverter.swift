import GatewayKit

/// Turns one message of a device into its readings, as the reference's BytesSocketUplinkConverter:
/// every telemetry and attribute key takes the bytes `[byteFrom:byteTo]` and sends them as
/// **text** (no number conversion: `b"21.5"` becomes `"21.5"`), decoded with the device's
/// encoding. With `hex` the bytes are written as lowercase hex pairs. Otherwise NUL bytes are
/// dropped before decoding (the reference does; except for UTF-16/32, where NULs are part of
/// the characters — the reference breaks those), and bytes that do not decode are sent as
/// Python writes them (`"b'\\xff\\x00'"`), as the reference does.
struct SocketUplinkConverter: Sendable {
    let device: SocketDeviceConfiguration
    let keyReportStrategies: [String: ReportStrategy]

    init(device: SocketDeviceConfiguration) {
        self.device = device
        var strategies: [String: ReportStrategy] = [:]
        for point in device.telemetry + device.attributes {
            if let strategy = point.reportStrategy { strategies[point.key] = strategy }
        }
        keyReportStrategies = strategies
    }

    func convert(_ message: [UInt8]) -> ConvertedData {
        var values: JSONObject = [:]
        for point in device.telemetry {
            values[point.key] = .string(text(of: point, in: message))
        }
        var attributes: JSONObject = [:]
        for point in device.attributes {
            attributes[point.key] = .string(text(of: point, in: message))
        }
        return ConvertedData(deviceName: device.deviceName, deviceType: device.deviceType,
                             telemetry: values.isEmpty ? [] : [TelemetryEntry(values: values)],
                             attributes: attributes, reportStrategy: device.reportStrategy,
                             keyReportStrategies: keyReportStrategies)
    }

    func text(of point: SocketDatapoint, in message: [UInt8]) -> String {
        let bytes = message[SocketByteSelector.sliceRange(point.byteFrom, point.byteTo, count: message.count)]
        return Self.decode(bytes, encoding: device.encoding)
    }

    static func decode(_ bytes: ArraySlice<UInt8>, encoding: SocketTextEncoding) -> String {
        switch encoding {
        case .hex, .utf16, .utf16LE, .utf16BE, .utf32, .utf32LE, .utf32BE:
            return encoding.decode(bytes) ?? SocketTextEncoding.pythonBytesRepr(bytes)
        case .utf8, .ascii, .latin1:
            let cleaned = bytes.contains(0) ? ArraySlice(bytes.filter { $0 != 0 }) : bytes
            return encoding.decode(cleaned) ?? SocketTextEncoding.pythonBytesRepr(cleaned)
        }
    }
}
