/// Writes the Prometheus text exposition format (version 0.0.4): `# HELP`, `# TYPE`, then samples
/// with escaped label values. Each metric family is declared once, before its samples.
struct PrometheusText {
    private(set) var text = ""
    private var declared: Set<String> = []

    enum Kind: String { case counter, gauge }

    mutating func sample(_ name: String, _ kind: Kind, help: String, labels: [(String, String)] = [], value: Double) {
        if declared.insert(name).inserted {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n"
        }
        text += name
        if !labels.isEmpty {
            text += "{"
            text += labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
            text += "}"
        }
        text += " \(Self.format(value))\n"
    }

    mutating func sample(_ name: String, _ kind: Kind, help: String, labels: [(String, String)] = [], value: Int64) {
        sample(name, kind, help: help, labels: labels, value: Double(value))
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
