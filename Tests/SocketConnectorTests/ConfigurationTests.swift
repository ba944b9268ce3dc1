import Foundation
import GatewayKit
import Testing
@testable import SocketConnector

@Suite struct ConfigurationTests {
    @Test func referenceSocketJSONParses() throws {
        let configuration = try Fixtures.parse(Fixtures.referenceSocketJSON)
        #expect(configuration.transport == .tcp)
        #expect(configuration.address == "127.0.0.1")
        #expect(configuration.port == 50000)
        #expect(configuration.bufferSize == 1024)
        #expect(!configuration.wasLegacyLayout)
        let device = try #require(configuration.devices.first)
        #expect(device.addressFilter.pattern == "*:*")
        #expect(device.deviceName == "Device Example")
        #expect(device.encoding == .utf8)
        #expect(device.telemetry == [SocketDatapoint(key: "temp", byteFrom: 0, byteTo: nil),
                                     SocketDatapoint(key: "hum", byteFrom: 0, byteTo: 2)])
        #expect(device.attributes == [SocketDatapoint(key: "name", byteFrom: 0, byteTo: nil),
                                      SocketDatapoint(key: "num", byteFrom: 2, byteTo: 4)])
        #expect(device.attributeRequests.map(\.scope) == [.shared])
        #expect(device.attributeUpdates == [SocketAttributeUpdateRule(attributeOnThingsBoard: "sharedName", encoding: .utf16)])
        #expect(device.serverSideRpc == [SocketRPCRule(methodRPC: "rpcMethod1", withResponse: true, encoding: .utf8)])
    }

    /// The upstream adapter test: old_config.json must behave exactly like new_config.json.
    @Test func oldLayoutParsesToTheSameModelAsTheNewOne() throws {
        let old = try Fixtures.parse(Fixtures.oldConfigJSON)
        let new = try Fixtures.parse(Fixtures.newConfigJSON)
        #expect(old.wasLegacyLayout)
        #expect(!new.wasLegacyLayout)
        var oldAsNew = old
        oldAsNew.wasLegacyLayout = false
        #expect(oldAsNew == new)
    }

    /// The adapter's rewrite itself equals new_config.json, key for key (upstream
    /// test_convert_from_old_to_new_config), and an empty document gets the default `socket`.
    @Test func legacyAdapterRewritesLikeTheReference() throws {
        let old = try #require(try JSONValue.parse(Fixtures.oldConfigJSON).objectValue)
        let new = try JSONValue.parse(Fixtures.newConfigJSON)
        #expect(JSONValue.object(SocketLegacyConfigAdapter.normalize(old)).isEquivalent(to: new))
        let empty = SocketLegacyConfigAdapter.normalize([:])
        #expect(JSONValue.object(empty).isEquivalent(to: ["socket": ["type": "TCP", "address": "127.0.0.1", "port": 50000,
                                                                    "bufferSize": 1024]]))
    }

    /// The same files from the compatibility corpus, when it is checked out next to the project.
    @Test func compatibilityCorpusFilesParse() throws {
        guard let compat = Fixtures.compatDirectory else { return }
        let reference = try Data(contentsOf: compat.appendingPathComponent("reference-configs/socket.json"))
        _ = try SocketConnectorConfiguration.parse(try JSONValue.parse(reference), file: "socket.json")
        let data = compat.appendingPathComponent("upstream-tests/unit/connectors/socket/data")
        let old = try SocketConnectorConfiguration.parse(
            try JSONValue.parse(try Data(contentsOf: data.appendingPathComponent("old_config.json"))), file: "old_config.json")
        let new = try SocketConnectorConfiguration.parse(
            try JSONValue.parse(try Data(contentsOf: data.appendingPathComponent("new_config.json"))), file: "new_config.json")
        #expect(old.devices == new.devices)
        #expect(old.transport == new.transport && old.address == new.address && old.port == new.port)
    }

    @Test func factoryBuildsTheConnector() throws {
        let setup = ConnectorSetup(identity: ConnectorIdentity(name: "Socket", type: "socket", id: "1"),
                                   configuration: try JSONValue.parse(Fixtures.referenceSocketJSON),
                                   configurationFile: "socket.json", context: RecordingContext(),
                                   logger: .init(label: "test"))
        #expect(SocketConnectorFactory.type == "socket")
        let connector = try SocketConnectorFactory.make(setup)
        #expect(connector is SocketConnector)
    }

    @Test func defaultsAndLowerCaseType() throws {
        let configuration = try Fixtures.parse("""
            {"socket": {"type": "udp"}, "devices": [{"address": "10.0.0.1:5000", "deviceName": "D",
              "telemetry": [{"key": "t"}]}]}
            """)
        #expect(configuration.transport == .udp)
        #expect(configuration.port == 50000 && configuration.bufferSize == 1024 && configuration.address == "127.0.0.1")
        let device = try #require(configuration.devices.first)
        #expect(device.deviceType == "default" && device.encoding == .utf8)
        #expect(device.telemetry == [SocketDatapoint(key: "t", byteFrom: nil, byteTo: nil)])
    }

    @Test(arguments: [
        (#"{"socket": {"type": "SCTP"}}"#, "socket.type", "\"TCP\" or \"UDP\""),
        (#"{"socket": {"port": 70000}}"#, "socket.port", "an integer from 0 to 65535"),
        (#"{"socket": {}, "devices": [{"deviceName": "D"}]}"#, "devices[0].address", "peer address"),
        (#"{"socket": {}, "devices": [{"address": "*:*"}]}"#, "devices[0].deviceName", "non-empty string"),
        (#"{"socket": {}, "devices": [{"address": "*:*", "deviceName": "D", "encoding": "klingon"}]}"#,
         "devices[0].encoding", "an encoding"),
        (#"{"socket": {}, "devices": [{"address": "*:*", "deviceName": "D", "telemetry": [{"byteFrom": 0}]}]}"#,
         "devices[0].telemetry[0].key", "non-empty string"),
        (#"{"socket": {}, "devices": [{"address": "*:*", "deviceName": "D", "attributes": [{"key": "k", "byteTo": "x"}]}]}"#,
         "devices[0].attributes[0].byteTo", "an integer"),
        (#"{"socket": {}, "devices": [{"address": "*:*", "deviceName": "D", "attributeRequests": [{"type": "shared", "requestExpression": "${[0:3]atr}", "attributeNameExpression": "[3:]"}]}]}"#,
         "devices[0].attributeRequests[0].requestExpression", "no \"==\""),
        (#"{"socket": {}, "devices": [{"address": "*:*", "deviceName": "D", "attributeRequests": [{"type": "server", "requestExpression": "${[0:3]==atr}", "attributeNameExpression": "[3:]"}]}]}"#,
         "devices[0].attributeRequests[0].type", "\"shared\", \"client\""),
        (#"{"socket": {}, "devices": [{"address": "*:*", "deviceName": "D", "attributeRequests": [{"type": "shared", "requestExpression": "${[0:3]==atr}", "attributeNameExpression": "[x3:]"}]}]}"#,
         "devices[0].attributeRequests[0].attributeNameExpression", "is not an integer"),
        (#"{"socket": {}, "devices": [{"address": "*:*", "deviceName": "D", "serverSideRpc": [{"withResponse": true}]}]}"#,
         "devices[0].serverSideRpc[0].methodRPC", "non-empty string"),
        (#"{"socket": {}, "devices": [{"address": "*:*", "deviceName": "D", "converter": "MyConverter"}]}"#,
         "devices[0].converter", "Python converters are not supported"),
    ])
    func badConfigsNameTheKey(document: String, keyPath: String, expectation: String) throws {
        do {
            _ = try Fixtures.parse(document)
            Issue.record("accepted: \(document)")
        } catch let error as ConfigError {
            #expect(error.file == "socket.json")
            #expect(error.keyPath == keyPath)
            #expect(error.expected.contains(expectation), "\(error)")
        }
    }

    @Test func addressFilterWinsOverAddress() throws {
        let configuration = try Fixtures.parse("""
            {"socket": {}, "devices": [{"address": "1.2.3.4:1", "addressFilter": "127.0.0.1:*", "deviceName": "D"}]}
            """)
        #expect(configuration.devices[0].addressFilter.pattern == "127.0.0.1:*")
    }
}
