import GatewayKit
import Logging
import Testing
@testable import MQTTConnector

@Suite struct FactoryTests {
    func setup(_ configuration: JSONValue) -> ConnectorSetup {
        ConnectorSetup(identity: ConnectorIdentity(name: "MQTT Broker Connector", type: "mqtt", id: "m1"),
                       configuration: configuration, configurationFile: "mqtt.json", context: RecordingContext(),
                       logger: Logger(label: "factory-test"))
    }

    @Test func theReferenceExampleMakesAConnector() throws {
        #expect(MQTTConnectorFactory.type == "mqtt")
        let document = try loadJSON(compatDirectory().appendingPathComponent("reference-configs/mqtt.json"))
        let made = try MQTTConnectorFactory.make(setup(document))
        #expect(made is any DownlinkConnector)  // the gateway finds the downlink through the factory's result
        let connector = try #require(made as? MQTTConnector)
        #expect(connector.identity.name == "MQTT Broker Connector")
        // The custom converter of the example is not registered here: that mapping is left out.
        #expect(connector.router.routes.count == 3)
        #expect(connector.router.skipped.count == 1)
        #expect(connector.router.subscriptions.map(\.filter)
                == ["data/", "sensor/+/data", "sensor/raw_data", "sensor/connect", "sensor/+/connect",
                    "sensor/disconnect", "sensor/+/disconnect", "v1/devices/me/attributes/request"])
        #expect(connector.downlink.attributeUpdates.count == 1)
        #expect(connector.downlink.serverSideRpc.count == 2)
    }

    @Test func aBadConfigurationIsAConfigError() throws {
        #expect(throws: ConfigError.self) { try MQTTConnectorFactory.make(setup(["broker": [:]])) }
    }
}
