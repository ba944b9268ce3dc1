import GatewayKit

/// The built-in custom converter `CustomRestUplinkConverter` (the name the reference's example
/// `rest.json` uses; the reference ships no such class, so that mapping could not load there).
/// It reads one telemetry value from the raw request body:
///
/// `extensionConfig {key, datatype, fromByte, toByte, byteorder, signed, multiplier}`: bytes
/// `fromByte..<toByte` (at most 8) read as an integer (`byteorder` "big"/"little", `signed`),
/// times `multiplier` (default 1); `datatype` "float"/"double" sends a floating number, anything
/// else an integer (rounded toward zero). The device name and profile come from
/// `converter.deviceInfo` (a `request` expression sees path variables and query parameters).
struct RESTByteFieldConverter: RESTUplinkConverter {
    static let name = "CustomRestUplinkConverter"

    let deviceName: RESTDeviceExpression
    let deviceProfile: RESTDeviceExpression?
    let key: String
    let range: Range<Int>
    let littleEndian: Bool
    let signed: Bool
    let multiplier: Double
    let floating: Bool

    init(_ setup: RESTCustomConverterSetup) throws(ConfigError) {
        let converter = setup.converter
        guard let deviceInfo = try converter.child("deviceInfo"),
              let name = try RESTDeviceExpression.parse(deviceInfo, prefix: "deviceName") else {
            throw converter.failure("deviceInfo", expected: "an object with deviceNameExpression", found: nil)
        }
        deviceName = name
        deviceProfile = try RESTDeviceExpression.parse(deviceInfo, prefix: "deviceProfile")
        let configKey = converter.has("extensionConfig") ? "extensionConfig" : "extension-config"
        guard let options = try converter.child(configKey) else {
            throw converter.failure("extensionConfig", expected: "an object {key, datatype, fromByte, toByte, ...}",
                                    found: nil)
        }
        key = try options.string("key", default: nil)
        let from = try options.int("fromByte", default: 0, in: 0...Int(Int32.max))
        let to = try options.int("toByte", default: nil, in: 0...Int(Int32.max))
        guard to > from, to - from <= 8 else {
            throw options.failure("toByte", expected: "a number greater than fromByte (\(from)) by 1 to 8",
                                  found: .int(Int64(to)))
        }
        range = from..<to
        littleEndian = try options.choice("byteorder", of: ["big", "little"], default: "big") == "little"
        signed = try options.bool("signed", default: false)
        multiplier = try options.number("multiplier", default: 1)
        let datatype = try options.string("datatype", default: "int").lowercased()
        floating = datatype == "float" || datatype == "double"
    }

    func convert(_ request: RESTUplinkRequest) throws(RESTConversionError) -> [ConvertedData] {
        let fields = JSONValue.object(request.fields)
        guard let name = deviceName.evaluate(in: fields) else {
            throw RESTConversionError("no device name: \(deviceName) found nothing in the request")
        }
        guard request.body.readableBytes >= range.upperBound,
              let bytes = request.body.getBytes(at: request.body.readerIndex + range.lowerBound, length: range.count)
        else {
            throw RESTConversionError("body has \(request.body.readableBytes) bytes, \(key) needs bytes "
                                      + "\(range.lowerBound)..<\(range.upperBound)")
        }
        var raw: UInt64 = 0
        for byte in littleEndian ? Array(bytes.reversed()) : bytes { raw = raw << 8 | UInt64(byte) }
        let bits = range.count * 8
        let integer = JSONValue.integer(bits: raw, width: bits, signed: signed)
        let value: JSONValue
        if floating {
            value = .double((integer.doubleValue ?? 0) * multiplier)
        } else if multiplier == 1 {
            value = integer
        } else {
            let scaled = ((integer.doubleValue ?? 0) * multiplier).rounded(.towardZero)
            value = JSONValue.integer(exactly: scaled) ?? .double(scaled)  // beyond 64 bits: a float
        }
        return [ConvertedData(deviceName: name, deviceType: deviceProfile?.evaluate(in: fields) ?? "default",
                              telemetry: [TelemetryEntry(ts: request.receivedAt, values: [key: value])])]
    }
}
