import GatewayKit

extension MQTTConversionPreview {
    /// Converts a JSONL file of reference-diff cases (`scripts/reference-diff/mqtt/make_cases.py`:
    /// one `{id, connector, topic, payload | payloadHex}` object per line) and returns one result
    /// line per case in the reference runner's format, for `compare.py`. A case whose
    /// configuration is refused gets `configError` and no devices. Every message is received at
    /// `receivedAt`, the reference runner's frozen clock.
    public static func resultLines(forCases text: String, receivedAt: Int64) -> [UInt8] {
        var out: [UInt8] = []
        for line in text.split(separator: "\n") where !line.isEmpty {
            var result: JSONObject = [:]
            do {
                let item = try JSONValue.parse(String(line))
                result["id"] = item["id"] ?? .null
                guard let topic = item["topic"]?.stringValue, let payload = payload(of: item) else {
                    throw ConfigError(file: "cases", keyPath: "", expected: "topic and payload or payloadHex", found: nil)
                }
                let preview = try MQTTConversionPreview(connectorConfiguration: item["connector"] ?? .null,
                                                        file: "mqtt.json")
                let outcome = preview.convert(topic: topic, payload: payload, receivedAt: receivedAt)
                for (key, value) in outcome.json(receivedAt: receivedAt).objectValue ?? [:] { result[key] = value }
            } catch {
                result["devices"] = []
                result["configError"] = .string("\(error)")
            }
            JSONValue.object(result).write(into: &out)
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    private static func payload(of item: JSONValue) -> [UInt8]? {
        if let text = item["payload"]?.stringValue { return Array(text.utf8) }
        return item["payloadHex"]?.stringValue.flatMap(HexBytes.decode)
    }
}
