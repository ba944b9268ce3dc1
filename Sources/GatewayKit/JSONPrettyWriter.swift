/// Indented JSON for files people edit (tb_gateway.json, connector files, connected_devices.json):
/// two spaces per level, `"key": value`, as Python's `json.dump(indent=2)` writes them.
extension JSONValue {
    public var prettyBytes: [UInt8] {
        var out: [UInt8] = []
        writePretty(into: &out, level: 0)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    private func writePretty(into out: inout [UInt8], level: Int) {
        switch self {
        case .array(let items) where !items.isEmpty:
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(into: &out, level: level + 1)
                item.writePretty(into: &out, level: level + 1)
            }
            Self.newline(into: &out, level: level)
            out.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in object.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(into: &out, level: level + 1)
                JSONWriter.writeString(key, into: &out)
                out.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
                value.writePretty(into: &out, level: level + 1)
            }
            Self.newline(into: &out, level: level)
            out.append(UInt8(ascii: "}"))
        default:
            write(into: &out)
        }
    }

    private static func newline(into out: inout [UInt8], level: Int) {
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 2))
    }
}
