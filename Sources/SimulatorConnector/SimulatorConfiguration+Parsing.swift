import GatewayKit

extension SimulatorConfiguration {
    static let kindNames = "one of counter, sine, randomWalk, constant"

    /// Validates a whole configuration document. Every error names the offending key path.
    public static func parse(_ document: JSONValue, file: String) throws(ConfigError) -> SimulatorConfiguration {
        let root = try ConfigReader(file: file, path: "", value: document)
        let entries = try root.array("devices", defaultEmpty: false)
        guard !entries.isEmpty else {
            throw root.error("devices", expected: "a non-empty array", found: .array([]))
        }
        var groups: [DeviceGroup] = []
        var seenNames: [String: String] = [:]  // device name -> key path of the group that made it
        for (index, entry) in entries.enumerated() {
            let path = "devices[\(index)]"
            let group = try parseGroup(ConfigReader(file: file, path: path, value: entry))
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
        let name = try reader.string("name")
        let type = try reader.string("type", default: "default")
        // An upper bound keeps a typo (an extra zero or three) from allocating millions of devices.
        let count = try reader.integer("count", default: 1, minimum: 1)
        guard count <= 1_000_000 else {
            throw reader.error("count", expected: "an integer from 1 to 1000000", found: .int(count))
        }
        let periodMs = try reader.integer("periodMs", default: 1000, minimum: 1)
        let readings = try reader.integer("readingsPerPeriod", default: 1, minimum: 1)
        guard readings <= 100_000 else {
            throw reader.error("readingsPerPeriod", expected: "an integer from 1 to 100000", found: .int(readings))
        }
        let attributesPeriodMs = try reader.integer("attributesPeriodMs", default: 0, minimum: 0)
        let maxReadings = try reader.integer("maxReadings", default: 0, minimum: 0)

        var telemetry: [TelemetrySpec] = []
        var telemetryKeys: Set<String> = []
        for (index, element) in try reader.array("telemetry", defaultEmpty: true).enumerated() {
            let entry = try ConfigReader(file: reader.file, path: reader.keyPath("telemetry[\(index)]"), value: element)
            let spec = try parseTelemetry(entry)
            guard telemetryKeys.insert(spec.key).inserted else {
                throw entry.error("key", expected: "a key not used by another telemetry entry", found: .string(spec.key))
            }
            telemetry.append(spec)
        }

        var attributes: JSONObject = [:]
        for (index, element) in try reader.array("attributes", defaultEmpty: true).enumerated() {
            let entry = try ConfigReader(file: reader.file, path: reader.keyPath("attributes[\(index)]"), value: element)
            try entry.rejectUnknownKeys(allowed: ["key", "value"])
            let key = try entry.string("key")
            let value = try entry.required("value", expected: "a JSON value")
            guard attributes.updateValue(value, forKey: key) == nil else {
                throw entry.error("key", expected: "a key not used by another attribute", found: .string(key))
            }
        }

        guard !telemetry.isEmpty || !attributes.isEmpty else {
            throw reader.error("telemetry", expected: "at least one telemetry or attributes entry", found: nil)
        }
        return DeviceGroup(
            name: name, type: type, count: Int(count), period: .milliseconds(periodMs),
            readingsPerPeriod: Int(readings), telemetry: telemetry, attributes: attributes,
            attributesPeriod: attributesPeriodMs == 0 ? nil : .milliseconds(attributesPeriodMs),
            maxReadings: maxReadings == 0 ? nil : Int(maxReadings))
    }

    static func parseTelemetry(_ entry: ConfigReader) throws(ConfigError) -> TelemetrySpec {
        let key = try entry.string("key")
        let kindValue = try entry.required("kind", expected: kindNames)
        let signal: Signal
        switch kindValue.stringValue {
        case "counter":
            signal = .counter(start: try entry.integer("start", default: 0), step: try entry.integer("step", default: 1))
        case "sine":
            signal = .sine(offset: try entry.number("offset", default: 0),
                           amplitude: try entry.number("amplitude", default: 1),
                           periodSeconds: try entry.number("periodSeconds", default: 60, positive: true))
        case "randomWalk":
            signal = try parseRandomWalk(entry)
        case "constant":
            signal = .constant(try entry.required("value", expected: "a JSON value"))
        default:
            throw entry.error("kind", expected: kindNames, found: kindValue)
        }
        // Checked after the kind is known, so the message lists the keys that kind understands.
        try entry.rejectUnknownKeys(allowed: ["key", "kind"] + (signalKeys[kindValue.stringValue ?? ""] ?? []))
        return TelemetrySpec(key: key, signal: signal)
    }

    static func parseRandomWalk(_ entry: ConfigReader) throws(ConfigError) -> Signal {
        let minimum = try entry.optionalNumber("min")
        let maximum = try entry.optionalNumber("max")
        if let minimum, let maximum, minimum > maximum {
            throw entry.error("max", expected: "a number >= min (\(ConfigReader.describe(entry.object["min"] ?? .double(minimum))))",
                              found: entry.object["max"])
        }
        let start = try entry.number("start", default: minimum ?? maximum ?? 0)
        if let minimum, start < minimum {
            throw entry.error("start", expected: "a number >= min", found: entry.object["start"])
        }
        if let maximum, start > maximum {
            throw entry.error("start", expected: "a number <= max", found: entry.object["start"])
        }
        let step = try entry.number("step", default: 1)
        guard step >= 0 else { throw entry.error("step", expected: "a number >= 0", found: entry.object["step"]) }
        return .randomWalk(start: start, step: step, min: minimum, max: maximum)
    }
}
