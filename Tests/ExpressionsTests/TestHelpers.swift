import GatewayKit

/// A message as a device would send it, parsed by the gateway's own JSON parser.
func message(_ json: String) -> JSONValue {
    do {
        return try JSONValue.parse(json)
    } catch {
        preconditionFailure("bad test fixture \(json): \(error)")
    }
}

/// A converter config object as read from a connector file at `mapping[0].converter`.
func converterReader(_ json: String) throws -> ConfigReader {
    try ConfigReader(message(json), file: "mqtt.json", path: "mapping[0].converter")
}
