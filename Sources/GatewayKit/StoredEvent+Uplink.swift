/// Reading a stored event for publishing. Events in the form `StoredEvent.init(_:)` writes are
/// only validated: telemetry entries are taken as slices of the stored bytes. Anything else (a
/// legacy shape, the reference's `data/` folder, an entry without `ts`) goes through
/// `decode(now:)`, which handles every shape.
extension StoredEvent {
    public func uplinkEvent(now: @autoclosure () -> Int64) throws(DecodingError) -> UplinkEvent {
        if let event = scanWrittenForm() { return event }
        return UplinkEvent(try decode(now: now()))
    }

    /// nil when the bytes are not exactly the written form (or not valid JSON).
    func scanWrittenForm() -> UplinkEvent? {
        var entries: [(ts: Int64, range: Range<Int>, datapoints: Int)] = []
        let header = bytes.withUnsafeBytes { buffer -> (name: String, type: String, attributes: JSONObject)? in
            var scanner = JSONByteParser(bytes: buffer)
            do throws(JSONParseError) {
                try scanner.expectLiteral(#"{"deviceName":""#)
                scanner.index -= 1
                let name = try scanner.parseString()
                guard !name.isEmpty else { return nil }
                try scanner.expectLiteral(#","deviceType":""#)
                scanner.index -= 1
                let type = try scanner.parseString()
                try scanner.expectLiteral(#","telemetry":["#)
                if scanner.index < buffer.count, buffer[scanner.index] == UInt8(ascii: "]") {
                    scanner.index += 1
                } else {
                    while true {
                        let start = scanner.index
                        try scanner.expectLiteral(#"{"ts":"#)
                        let tsStart = scanner.index
                        guard scanner.index < buffer.count, try scanner.scanNumber(),
                              let ts = JSONByteParser.integer(UnsafeRawBufferPointer(rebasing: buffer[tsStart..<scanner.index]))
                        else { return nil }
                        try scanner.expectLiteral(#","values":{"#)
                        scanner.index -= 1
                        // Root object 1, telemetry array 2, entry 3, values 4.
                        let datapoints = try scanner.skipObject(depth: 4)
                        try scanner.expectLiteral("}")
                        if datapoints > 0 { entries.append((ts, start..<scanner.index, datapoints)) }
                        guard scanner.index < buffer.count else { return nil }
                        let separator = buffer[scanner.index]
                        scanner.index += 1
                        if separator == UInt8(ascii: "]") { break }
                        guard separator == UInt8(ascii: ",") else { return nil }
                    }
                }
                try scanner.expectLiteral(#","attributes":{"#)
                scanner.index -= 1
                let attributesStart = scanner.index
                var attributes: JSONObject = [:]
                if try scanner.skipObject(depth: 2) > 0 {
                    guard case .object(let parsed) = try JSONValue.parse(
                        UnsafeRawBufferPointer(rebasing: buffer[attributesStart..<scanner.index])) else { return nil }
                    attributes = parsed
                }
                try scanner.expectLiteral("}")
                guard scanner.index == buffer.count else { return nil }
                return (name, type, attributes)
            } catch {
                return nil
            }
        }
        guard let header else { return nil }
        return UplinkEvent(deviceName: header.name, deviceType: header.type,
                           telemetry: entries.map { UplinkTelemetry(ts: $0.ts, item: bytes[$0.range], datapoints: $0.datapoints) },
                           attributes: header.attributes)
    }
}
