/// Writes the Prometheus text exposition format (version 0.0.4): `# HELP`, `# TYPE`, then samples
/// with escaped label values. Each metric family is declared once, before its samples.
struct PrometheusText {
    private(set) var text = ""
    private var declared: Set<String> = []

    enum Kind: String { case counter, gauge, histogram }

    /// - Parameter family: the metric family the sample belongs to when its name differs (a
    ///   histogram's `_bucket`, `_sum` and `_count` samples).
    mutating func sample(_ name: String, _ kind: Kind, help: String, labels: [(String, String)] = [], value: Double,
                         family: String? = nil) {
        let family = family ?? name
        if declared.insert(family).inserted {
            text += "# HELP \(family) \(help)\n# TYPE \(family) \(kind.rawValue)\n"
        }
        text += name
        if !labels.isEmpty {
            text += "{"
            text += labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
            text += "}"
        }
        text += " \(Self.format(value))\n"
    }

    mutating func sample(_ name: String, _ kind: Kind, help: String, labels: [(String, String)] = [], value: Int64,
                         family: String? = nil) {
        sample(name, kind, help: help, labels: labels, value: Double(value), family: family)
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
