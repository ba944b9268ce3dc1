/// The params text of the reserved `get` / `set` RPCs, `key=value;key=value;` (reference §1.7),
/// split as the reference's connectors split it: a part without exactly one `=`, or with an empty
/// key or value, is left out, and a later key wins. Shared by every connector with reserved RPCs
/// whose values cannot hold `;` or `=` (Modbus's `value=` takes the rest of the text instead).
public enum ReservedRPCParams {
    /// - Parameter trimmingKeys: drop whitespace around keys (the Request and Socket connectors
    ///   do; the MQTT connector does not).
    public static func parse(_ text: String, trimmingKeys: Bool) -> [String: String] {
        var params: [String: String] = [:]
        for part in text.split(separator: ";", omittingEmptySubsequences: false) {
            let pair = part.split(separator: "=", omittingEmptySubsequences: false)
            guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else { continue }
            let key = trimmingKeys ? pair[0].trimmingWhitespace() : Substring(pair[0])
            guard !key.isEmpty else { continue }
            params[String(key)] = String(pair[1])
        }
        return params
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
