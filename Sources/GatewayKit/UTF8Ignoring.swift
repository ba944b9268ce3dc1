/// Python's `bytes.decode("utf-8", "ignore")`, which the reference applies to every MQTT payload
/// before parsing it: byte sequences that are not UTF-8 (a Latin-1 `°` from a cheap sensor) are
/// dropped, the rest is kept. Used only after a strict parse failed, so valid payloads pay nothing.
public enum UTF8Ignoring {
    /// `bytes` without its invalid sequences (each maximal invalid subpart dropped, as Python
    /// does), or nil when `bytes` is valid UTF-8 already.
    public static func cleaned<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [UInt8]? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var output: [UInt8] = []
        output.reserveCapacity(bytes.underestimatedCount)
        var droppedAny = false
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                UTF8.encode(scalar) { output.append($0) }
            case .error:
                droppedAny = true
            case .emptyInput:
                break decoding
            }
        }
        return droppedAny ? output : nil
    }
}
