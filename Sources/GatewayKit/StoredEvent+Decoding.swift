/// Reading a stored event back, including the legacy shapes the reference may have written to an
/// existing `data/` folder (reference §1.5): `"attributes":[{..},{..}]`, a single
/// `"telemetry":{"ts":..,"values":{..}}`, telemetry items without `values` (`[{"k":v}]`), a
/// missing or non-integer `ts` (replaced by `now`).
extension StoredEvent {
    public struct DecodingError: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { "unreadable stored event: \(reason)" }
    }

    public func decode(now: @autoclosure () -> Int64) throws(DecodingError) -> ConvertedData {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw DecodingError(reason: error.description)
        }
        guard case .object(let root) = document else { throw DecodingError(reason: "not a JSON object") }
        guard let name = root["deviceName"]?.stringValue, !name.isEmpty else {
            throw DecodingError(reason: "no deviceName")
        }
        var data = ConvertedData(deviceName: name, deviceType: root["deviceType"]?.stringValue ?? "default")

        switch root["attributes"] {
        case .object(let attributes)?:
            data.attributes = attributes
        case .array(let items)?:
            for case .object(let item) in items { data.attributes.merge(item) { _, new in new } }
        default: break
        }

        func telemetryEntry(_ object: JSONObject) -> TelemetryEntry {
            if case .object(let values)? = object["values"] {
                let ts = object["ts"].flatMap { value -> Int64? in
                    if case .int(let ts) = value { return ts }
                    return nil
                }
                return TelemetryEntry(ts: ts ?? now(), values: values)
            }
            return TelemetryEntry(ts: now(), values: object)  // legacy [{"k": v}]
        }
        switch root["telemetry"] {
        case .array(let items)?:
            for case .object(let item) in items { data.telemetry.append(telemetryEntry(item)) }
        case .object(let item)?:
            data.telemetry.append(telemetryEntry(item))
        default: break
        }
        data.telemetry.removeAll { $0.values.isEmpty }
        return data
    }
}
