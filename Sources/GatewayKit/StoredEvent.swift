/// The serialised form of one `ConvertedData` as it is kept in event storage, byte-for-byte the
/// reference's stored event JSON (reference §1.5):
/// `{"deviceName":"Dev A","deviceType":"default","telemetry":[{"ts":1,"values":{"t":1}}],"attributes":{"fw":"1.0"}}`.
/// Keeping the reference format means an existing `data/` folder of the Python gateway is
/// readable and ours is readable by it.
public struct StoredEvent: Sendable, Equatable {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Encodes with every telemetry entry stamped (`ts` must already be resolved by the caller;
    /// an entry with a nil `ts` is written without it and gets "now" when it is published).
    public init(_ data: ConvertedData) {
        var out: [UInt8] = []
        out.reserveCapacity(96 + data.datapointCount * 24)
        out.append(contentsOf: #"{"deviceName":"#.utf8)
        JSONWriter.writeString(data.deviceName, into: &out)
        out.append(contentsOf: #","deviceType":"#.utf8)
        JSONWriter.writeString(data.deviceType, into: &out)
        out.append(contentsOf: #","telemetry":["#.utf8)
        for (index, entry) in data.telemetry.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            if let ts = entry.ts {
                out.append(contentsOf: #""ts":"#.utf8)
                JSONWriter.writeInteger(ts, into: &out)
                out.append(UInt8(ascii: ","))
            }
            out.append(contentsOf: #""values":"#.utf8)
            JSONWriter.writeObject(entry.values, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: #"],"attributes":"#.utf8)
        JSONWriter.writeObject(data.attributes, into: &out)
        out.append(UInt8(ascii: "}"))
        self.bytes = out
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
