import GatewayKit

extension MQTTConversionPreview {
    /// Converts a JSONL file of reference-diff cases (`scripts/reference-diff/mqtt/make_cases.py`:
    /// one `{id, connector, topic, payload | payloadHex}` object per line) and returns one result
    /// line per case in the reference runner's format, for `compare.py`. `admit` is the gateway's
    /// report filter as it treats a connector's first message (`ReportFilter.admitFirst`), which
    /// the reference's results include. A case whose configuration is refused gets `configError`
    /// and no devices. Every message is received at `receivedAt`, the reference runner's frozen clock.
    public static func resultLines(forCases text: String, receivedAt: Int64,
                                   admit: ([ConvertedData], ReportStrategy?, Int64) -> [ConvertedData]) -> [UInt8] {
        ReferenceDiffCases.resultLines(text, onConfigError: ["devices": []]) { item in
            guard let topic = item["topic"]?.stringValue, let payload = ReferenceDiffCases.payload(of: item) else {
                throw ConfigError(file: "cases", keyPath: "", expected: "topic and payload or payloadHex", found: nil)
            }
            let preview = try MQTTConversionPreview(connectorConfiguration: item["connector"] ?? .null, file: "mqtt.json")
            let outcome = preview.convert(topic: topic, payload: payload, receivedAt: receivedAt)
            return outcome.referenceDiffJSON(admit(outcome.data, preview.reportStrategy, receivedAt), receivedAt: receivedAt)
        }
    }
}

/// The loop both reference-diff runners share: one result line per case line, `{"id", ...}` with
/// what `body` returns, or `onConfigError` and `configError` when the case's configuration is
/// refused.
enum ReferenceDiffCases {
    /// A case's `payload` (text) or `payloadHex` (bytes), nil when it has neither.
    static func payload(of item: JSONValue) -> [UInt8]? {
        if let text = item["payload"]?.stringValue { return Array(text.utf8) }
        return item["payloadHex"]?.stringValue.flatMap(HexBytes.decode)
    }

    static func resultLines(_ text: String, onConfigError empty: JSONObject,
                            _ body: (JSONValue) throws -> JSONObject) -> [UInt8] {
        var out: [UInt8] = []
        for line in text.split(separator: "\n") where !line.isEmpty {
            var result: JSONObject = [:]
            do {
                let item = try JSONValue.parse(String(line))
                result["id"] = item["id"] ?? .null
                for (key, value) in try body(item) { result[key] = value }
            } catch {
                for (key, value) in empty { result[key] = value }
                result["configError"] = .string("\(error)")
            }
            JSONValue.object(result).write(into: &out)
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}
