/// One stored event as the uplink publishes it. Each telemetry entry is kept as the exact item
/// of the gateway API (`{"ts":1,"values":{...}}`): an event read from storage reaches the wire
/// without being parsed into values and written again, the costliest step of the uplink before.
public struct UplinkEvent: Sendable, Equatable {
    public var deviceName: String
    public var deviceType: String
    /// Entries with at least one value, in their stored order.
    public var telemetry: [UplinkTelemetry]
    public var attributes: JSONObject

    public init(deviceName: String, deviceType: String, telemetry: [UplinkTelemetry], attributes: JSONObject) {
        self.deviceName = deviceName
        self.deviceType = deviceType
        self.telemetry = telemetry
        self.attributes = attributes
    }

    /// Writes each telemetry entry once (an entry without `ts` is stamped 0, as the builder
    /// always did: the uplink resolves every `ts` before).
    public init(_ data: ConvertedData) {
        self.init(deviceName: data.deviceName, deviceType: data.deviceType,
                  telemetry: data.telemetry.compactMap { entry in
                      entry.values.isEmpty ? nil : UplinkTelemetry(ts: entry.ts ?? 0, values: entry.values)
                  },
                  attributes: data.attributes)
    }

    public var datapointCount: Int {
        attributes.count + telemetry.reduce(0) { $0 + $1.datapoints }
    }
}

public struct UplinkTelemetry: Sendable, Equatable {
    public var ts: Int64
    /// `{"ts":<ts>,"values":{...}}`, compact, as published.
    public var item: ArraySlice<UInt8>
    /// Members of `values`.
    public var datapoints: Int

    public init(ts: Int64, item: ArraySlice<UInt8>, datapoints: Int) {
        self.ts = ts
        self.item = item
        self.datapoints = datapoints
    }

    public init(ts: Int64, values: JSONObject) {
        self.init(ts: ts, item: Self.encode(ts: ts, values: values)[...], datapoints: values.count)
    }

    /// The values parsed back: needed only for the rare entry too big for one message.
    public func values() -> JSONObject {
        guard case .object(let entry)? = try? JSONValue.parse(item), case .object(let values)? = entry["values"] else {
            return [:]
        }
        return values
    }

    public static func encode(ts: Int64, values: JSONObject) -> [UInt8] {
        var out: [UInt8] = Array(#"{"ts":"#.utf8)
        JSONWriter.writeInteger(ts, into: &out)
        out.append(contentsOf: #","values":"#.utf8)
        JSONWriter.writeObject(values, into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
