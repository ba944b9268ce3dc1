import GatewayKit
import ModbusConnector
import MQTTConnector
import OPCUAConnector
import RequestConnector
import RESTConnector
import SimulatorConnector
import SocketConnector

/// The built-in connectors. Adding a connector is one line here (and its target in Package.swift).
public enum ConnectorRegistry {
    public static let factories: [String: any ConnectorFactory.Type] = [
        SimulatorConnectorFactory.type: SimulatorConnectorFactory.self,
        MQTTConnectorFactory.type: MQTTConnectorFactory.self,
        ModbusConnectorFactory.type: ModbusConnectorFactory.self,
        OPCUAConnectorFactory.type: OPCUAConnectorFactory.self,
        RequestConnectorFactory.type: RequestConnectorFactory.self,
        RESTConnectorFactory.type: RESTConnectorFactory.self,
        SocketConnectorFactory.type: SocketConnectorFactory.self,
    ]

    public static func factory(for type: String) -> (any ConnectorFactory.Type)? {
        factories[type.lowercased()]
    }

    public static var knownTypes: [String] { factories.keys.sorted() }
}
