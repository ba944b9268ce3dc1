import GatewayKit

extension SimulatorConfiguration {
    static let kindNames = "one of counter, sine, randomWalk, constant"

    /// Validates a whole configuration document. Every error names the offending key path.
    public static func parse(_ document: JSONValue, file: String) throws(ConfigError) -> SimulatorConfiguration {
        let root = try ConfigReader(document, file: file, path: "")
        let entries = try root.array("devices", required: true)
        guard !entries.isEmpty else {
            throw root.failure("devices", expected: "a non-empty array", found: .array([]))
        }
        var groups: [DeviceGroup] = []
        var seenNames: [String: String] = [:]  // device name -> key path of the group that made it
        for (index, entry) in entries.enumerated() {
            let path = "devices[\(index)]"
            let group = try parseGroup(ConfigReader(entry, file: file, path: path))
            for deviceIndex in 1...group.count {
                let name = group.deviceName(index: deviceIndex)
                if let other = seenNames[name] {
                    throw ConfigError(file: file, keyPath: "\(path).name",
                                      expected: "device names not used by \(other) too",
                                      found: ConfigReader.describe(.string(name)))
                }
                seenNames[name] = path
            }
            groups.append(group)
        }
        return SimulatorConfiguration(devices: groups)
    }

    static let groupKeys = ["name", "type", "count", "periodMs", "readingsPerPeriod", "telemetry", "attributes",
                            "attributesPeriodMs", "maxReadings"]
    static let signalKeys: [String: [String]] = [
        "counter": ["start", "step"],
        "sine": ["offset", "amplitude", "periodSeconds"],
        "randomWalk": ["start", "step", "min", "max"],
        "constant": ["value"],
    ]

    static func parseGroup(_ reader: ConfigReader) throws(ConfigError) -> DeviceGroup {
        try reader.rejectUnknownKeys(allowed: groupKeys)
        let name = try reader.string("name", default: nil)
        let type = try reader.string("type", default: "default")
        // An upper bound keeps a typo (an extra zero or three) from allocating millions of devices.
        let count = try reader.int64("count", default: 1, in: 1...Int64.max)
        guard count <= 1_000_000 else {
            throw reader.failure("count", expected: "an integer from 1 to 1000000", found: .int(count))
        }
        let periodMs = try reader.int64("periodMs", default: 1000, in: 1...Int64.max)
        let readings = try reader.int64("readingsPerPeriod", default: 1, in: 1...Int64.max)
        guard readings <= 100_000 else {
            throw reader.failure("readingsPerPeriod", expected: "an integer from 1 to 100000", found: .int(readings))
        }
        let attributesPeriodMs = try reader.int64("attributesPeriodMs", default: 0, in: 0...Int64.max)
        let maxReadings = try reader.int64("maxReadings", default: 0, in: 0...Int64.max)

        var telemetry: [TelemetrySpec] = []
        var telemetryKeys: Set<String> = []
        for (index, element) in try reader.array("telemetry", required: false).enumerated() {
            let entry = try ConfigReader(element, file: reader.file, path: reader.keyPath("telemetry[\(index)]"))
            let spec = try parseTelemetry(entry)
            guard telemetryKeys.insert(spec.key).inserted else {
                throw entry.failure("key", expected: "a key not used by another telemetry entry", found: .string(spec.key))
            }
            telemetry.append(spec)
        }

        var attributes: JSONObject = [:]
        for (index, element) in try reader.array("attributes", required: false).enumerated() {
            let entry = try ConfigReader(element, file: reader.file, path: reader.keyPath("attributes[\(index)]"))
            try entry.rejectUnknownKeys(allowed: ["key", "value"])
            let key = try entry.string("key", default: nil)
            let value = try entry.required("value", expected: "a JSON value")
            guard attributes.updateValue(value, forKey: key) == nil else {
                throw entry.failure("key", expected: "a key not used by another attribute", found: .string(key))
            }
        }

        guard !telemetry.isEmpty || !attributes.isEmpty else {
            throw reader.failure("telemetry", expected: "at least one telemetry or attributes entry", found: nil)
        }
        return DeviceGroup(
            name: name, type: type, count: Int(count), period: .milliseconds(periodMs),
            readingsPerPeriod: Int(readings), telemetry: telemetry, attributes: attributes,
            attributesPeriod: attributesPeriodMs == 0 ? nil : .milliseconds(attributesPeriodMs),
            maxReadings: maxReadings == 0 ? nil : Int(maxReadings))
    }

    static func parseTelemetry(_ entry: ConfigReader) throws(ConfigError) -> TelemetrySpec {
        let key = try entry.string("key", default: nil)
        let kindValue = try entry.required("kind", expected: kindNames)
        let signal: Signal
        switch kindValue.stringValue {
        case "counter":
            signal = .counter(start: try entry.int64("start", default: 0), step: try entry.int64("step", default: 1))
        case "sine":
            signal = .sine(offset: try entry.number("offset", default: 0),
                           amplitude: try entry.number("amplitude", default: 1),
                           periodSeconds: try entry.number("periodSeconds", default: 60, positive: true))
        case "randomWalk":
            signal = try parseRandomWalk(entry)
        case "constant":
            signal = .constant(try entry.required("value", expected: "a JSON value"))
        default:
            throw entry.failure("kind", expected: kindNames, found: kindValue)
        }
        // Checked after the kind is known, so the message lists the keys that kind understands.
        try entry.rejectUnknownKeys(allowed: ["key", "kind"] + (signalKeys[kindValue.stringValue ?? ""] ?? []))
        return TelemetrySpec(key: key, signal: signal)
    }

    static func parseRandomWalk(_ entry: ConfigReader) throws(ConfigError) -> Signal {
        let minimum = try entry.number("min")
        let maximum = try entry.number("max")
        if let minimum, let maximum, minimum > maximum {
            throw entry.failure("max", expected: "a number >= min (\(ConfigReader.describe(entry.object["min"] ?? .double(minimum))))",
                              found: entry.object["max"])
        }
        let start = try entry.number("start", default: minimum ?? maximum ?? 0)
        if let minimum, start < minimum {
            throw entry.failure("start", expected: "a number >= min", found: entry.object["start"])
        }
        if let maximum, start > maximum {
            throw entry.failure("start", expected: "a number <= max", found: entry.object["start"])
        }
        let step = try entry.number("step", default: 1)
        guard step >= 0 else { throw entry.failure("step", expected: "a number >= 0", found: entry.object["step"]) }
        return .randomWalk(start: start, step: step, min: minimum, max: maximum)
    }
}
