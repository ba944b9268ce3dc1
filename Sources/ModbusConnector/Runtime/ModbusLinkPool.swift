import GatewayKit
import Logging
import Modbus

/// One link per endpoint, shared by every device configured on it (the reference shares its
/// masters per host:port and per serial port). The first device of an endpoint sets the link's
/// connect policy and connect timeout.
actor ModbusLinkPool {
    private var links: [ModbusConnectionSettings: ModbusLink] = [:]
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    var count: Int { links.count }

    /// One request at a time per link, as the reference does: many devices (and TCP-to-RTU
    /// bridges, and pymodbus) answer only the first of several pipelined requests. Devices on
    /// different endpoints never wait for each other; devices behind one endpoint share it in turn.
    func link(for device: ModbusDeviceConfiguration) throws -> ModbusLink {
        if let existing = links[device.connection] { return existing }
        let connection = device.connection
        let client = ModbusClient(endpoint: connection.endpoint, framing: connection.modbusFraming,
                                  tls: try connection.clientTLSContext(), logger: logger)
        let policy = ConnectAttemptPolicy(attemptSpacing: device.connectAttemptTime,
                                          attemptsPerRound: device.connectAttemptCount,
                                          pauseAfterRound: device.waitAfterFailedAttempts)
        let link = ModbusLink(client: client, endpointDescription: connection.description,
                              connectTimeout: device.timeout, policy: policy, logger: logger)
        links[connection] = link
        return link
    }

    var all: [ModbusLink] { Array(links.values) }

    func closeAll() async {
        for link in links.values { await link.close() }
        links = [:]
    }
}
