import GatewayKit

/// The json converter's datapoint part, shared by the MQTT, Request and REST connectors:
/// `attributes` and `timeseries` of a converter object, compiled once.
public struct JSONDatapointMapper: Sendable {
    public let attributes: [DatapointMapping]
    public let timeseries: [DatapointMapping]

    /// `reader` is the converter object. `useEval: true` (Python `eval` of values) is refused
    /// with a ConfigError naming the key: a config relying on it would otherwise send
    /// unevaluated text.
    public init(_ reader: ConfigReader) throws(ConfigError) {
        if try reader.bool("useEval", default: false) {
            throw reader.failure("useEval", expected: "false or absent (Python eval of values is not supported)",
                                 found: .bool(true))
        }
        attributes = try DatapointMapping.list("attributes", in: reader)
        timeseries = try DatapointMapping.list("timeseries", in: reader)
    }

    public init(attributes: [DatapointMapping], timeseries: [DatapointMapping]) {
        self.attributes = attributes
        self.timeseries = timeseries
    }

    /// Applies the mapping to one message (a JSON object; the caller splits arrays into
    /// elements). `topic` feeds `keySource: "topic"`; `receivedAt` (ms) is the time of every
    /// telemetry entry when `useReceivedTs`, and otherwise of entries without a time of their
    /// own. A key whose name or value does not resolve (or is null) is skipped, as the
    /// reference does. Telemetry is grouped by time, in order of first appearance.
    public func apply(to message: JSONValue, topic: String?, receivedAt: Int64, useReceivedTs: Bool) -> MappedDatapoints {
        var result = MappedDatapoints()
        for mapping in attributes {
            switch mapping.kind {
            case .everyField:
                guard case .object(let object) = message else { continue }
                for (key, value) in object { result.attributes[key] = value }
            case .entry(let entry):
                guard let (name, converted) = Self.datapoint(entry, message, topic) else { continue }
                result.attributes[name] = converted
                if let reportStrategy = entry.reportStrategy { result.keyReportStrategies[name] = reportStrategy }
            }
        }
        // The message's own ts is read once, and only when some key needs it.
        var messageTimestampRead = false
        var messageTimestamp: Int64?
        for mapping in timeseries {
            switch mapping.kind {
            case .everyField:
                guard case .object(let object) = message else { continue }
                // As the reference's TelemetryEntry: {"ts": t, "values": {...}} is unpacked; any
                // other object is sent whole (its "ts" included) at the receive time.
                if let ts = object["ts"], Self.isTruthy(ts), case .object(let values)? = object["values"], !values.isEmpty,
                   let time = TimestampParser.messageTimestamp(in: .object(["ts": ts])) {
                    result.add(values, at: time)
                } else {
                    result.add(object, at: receivedAt)
                }
            case .entry(let entry):
                guard let (name, converted) = Self.datapoint(entry, message, topic) else { continue }
                let time: Int64
                if useReceivedTs {
                    time = receivedAt
                } else if let timestamp = entry.timestamp, let found = Self.timestampValue(timestamp, in: message),
                          let parsed = TimestampParser.milliseconds(from: found, dayFirst: timestamp.dayFirst,
                                                                    yearFirst: timestamp.yearFirst) {
                    time = parsed
                } else {
                    if !messageTimestampRead {
                        messageTimestamp = TimestampParser.messageTimestamp(in: message)
                        messageTimestampRead = true
                    }
                    time = messageTimestamp ?? receivedAt
                }
                result.add(name, converted, at: time)
                if let reportStrategy = entry.reportStrategy { result.keyReportStrategies[name] = reportStrategy }
            }
        }
        return result
    }

    private static func datapoint(_ entry: DatapointMapping.Entry, _ message: JSONValue,
                                  _ topic: String?) -> (String, JSONValue)? {
        let name: String?
        switch entry.key {
        case .message(let expression): name = expression.text(in: message, keepingUnresolved: false)
        case .topic(let expression): name = topic.flatMap { expression.evaluate(topic: $0) }
        }
        guard let name, let found = entry.value.evaluate(in: message), let converted = entry.type.coerce(found) else {
            return nil
        }
        return (name, converted)
    }

    /// The value at the `tsField` path, else (as the reference, which only searches by name)
    /// the first value under the path's last key name anywhere in the message. Following the
    /// path first fixes the reference picking `a.t` for `${b.t}` when both exist.
    static func timestampValue(_ timestamp: DatapointMapping.Timestamp, in message: JSONValue) -> JSONValue? {
        if let found = timestamp.path?.lookup(in: message), !found.isNull { return found }
        return findField(timestamp.fieldName, in: message)
    }

    /// The reference's `find_ts_field_value`: the key at the top level, else depth-first in
    /// nested objects (not arrays); null counts as absent.
    static func findField(_ name: String, in value: JSONValue) -> JSONValue? {
        guard case .object(let object) = value else { return nil }
        if let found = object[name], !found.isNull { return found }
        for child in object.values {
            if case .object = child, let found = findField(name, in: child) { return found }
        }
        return nil
    }

    private static func isTruthy(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return false
        case .bool(let flag): return flag
        case .int(let number): return number != 0
        case .uint: return true  // never zero: above Int64.max
        case .double(let number): return number != 0
        case .string(let text): return !text.isEmpty
        case .array(let elements): return !elements.isEmpty
        case .object(let object): return !object.isEmpty
        }
    }
}

/// What a JSON mapping extracted from one message.
public struct MappedDatapoints: Sendable, Equatable {
    public var attributes: JSONObject
    public var telemetry: [TelemetryEntry]
    public var keyReportStrategies: [String: ReportStrategy]

    public init(attributes: JSONObject = [:], telemetry: [TelemetryEntry] = [],
                keyReportStrategies: [String: ReportStrategy] = [:]) {
        self.attributes = attributes
        self.telemetry = telemetry
        self.keyReportStrategies = keyReportStrategies
    }

    public var isEmpty: Bool { attributes.isEmpty && telemetry.allSatisfy { $0.values.isEmpty } }

    /// Adds one value at `ts` (the hot path: no dictionary built per datapoint).
    mutating func add(_ key: String, _ value: JSONValue, at ts: Int64) {
        if let index = telemetry.lastIndex(where: { $0.ts == ts }) {
            telemetry[index].values[key] = value
        } else {
            telemetry.append(TelemetryEntry(ts: ts, values: [key: value]))
        }
    }

    /// Adds values at `ts`, merging into an entry with the same time (a later value of the same
    /// key wins, as in the reference's ConvertedData).
    mutating func add(_ values: JSONObject, at ts: Int64) {
        if let index = telemetry.lastIndex(where: { $0.ts == ts }) {
            telemetry[index].values.merge(values) { _, new in new }
        } else {
            telemetry.append(TelemetryEntry(ts: ts, values: values))
        }
    }
}
