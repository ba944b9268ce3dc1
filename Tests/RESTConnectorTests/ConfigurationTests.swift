import GatewayKit
import NIOCore
@testable import RESTConnector
import Testing

struct ConfigurationTests {
    @Test func referenceConfigParses() throws {
        let configuration = try RESTConnectorConfiguration.parse(try json(referenceRESTConfig), file: "rest.json")
        #expect(configuration.server == RESTServerConfiguration(host: "127.0.0.1", port: 5000, tls: nil,
                                                                maxBodySize: 1024 * 1024))
        #expect(configuration.endpoints.map(\.path) == ["/my_devices", "/anon1", "/anon2", "/sharedAttributes"])
        #expect(configuration.endpoints.map(\.methods) == [["POST"], ["GET", "POST"], ["POST"], ["POST"]])
        #expect(configuration.legacyRewrites.isEmpty)
        guard case .uplink(let first) = configuration.endpoints[0].kind, case .json(let converter) = first.converter else {
            Issue.record("first endpoint is not a json uplink")
            return
        }
        #expect(converter.deviceName.description == "request:${sensorName}")
        #expect(first.response.timeout == .seconds(120))
        guard case .uplink(let custom) = configuration.endpoints[2].kind,
              case .custom(let name, _) = custom.converter else {
            Issue.record("third endpoint is not a custom uplink")
            return
        }
        #expect(name == "CustomRestUplinkConverter")
        guard case .attributeRequest(let rule) = configuration.endpoints[3].kind else {
            Issue.record("fourth endpoint is not an attribute request")
            return
        }
        #expect(rule.attributeNames.map(\.source) == ["${attribute}", "${attribute1}"])
        #expect(!rule.clientScope)
        // The downlink part builds too (HTTPConnectorKit rules).
        let connector = try RESTConnector(identity: ConnectorIdentity(name: "REST", type: "rest", id: "1"),
                                          configuration: configuration, configurationFile: "rest.json",
                                          context: RecordingContext(), logger: .init(label: "t"))
        #expect(connector.downlink.attributeUpdates.count == 2)
        #expect(connector.downlink.serverSideRpc.count == 3)
    }

    @Test func referenceConfigRunsAndConvertsTheExampleRequest() async throws {
        let running = try await RunningRESTConnector.start(try json(referenceRESTConfig))
        let reply = try await httpRequest(.POST, running.baseURL + "/my_devices",
                                          body: #"{"sensorName": "SN-001", "sensorType": "default", "sensorModel": "T1000", "certificateNumber": "N1", "temp": 24.5, "hum": 50}"#,
                                          headers: [("Content-Type", "application/json")])
        #expect(reply.status == 200)
        let anon = try await httpRequest(.GET, running.baseURL + "/anon1?temp=1&hum=2")
        #expect(anon.status == 200)
        let received = await running.context.received
        #expect(received.map(\.deviceName) == ["SN-001", "Device 2"])
        #expect(received.first?.attributes == ["model": "T1000", "certificateNumber": "N1"])
        #expect(received.last?.attributes == ["model": "Model2"])
        #expect(received.last?.telemetry.first?.values == ["temperature": 1.0, "humidity": 2.0])
        try await running.stop()
    }

    @Test func oldLayoutIsRewritten() throws {
        let old = try json("""
        {"host": "0.0.0.0", "port": "5001", "SSL": false,
         "mapping": [{"endpoint": "/old", "HTTPMethods": ["POST"], "security": {"type": "anonymous"},
           "converter": {"type": "json", "deviceNameExpression": "Device ${name}", "deviceTypeExpression": "thermo",
                         "timeseries": [{"type": "int", "key": "t", "value": "${t}"}]}}],
         "attributeUpdates": [{"HTTPMethod": "POST", "deviceNameFilter": ".*", "attributeFilter": ".*",
                               "requestUrlExpression": "http://127.0.0.1:1/", "valueExpression": "${attributeValue}"}]}
        """)
        let configuration = try RESTConnectorConfiguration.parse(old, file: "rest.json")
        #expect(configuration.server.host == "0.0.0.0")
        #expect(configuration.server.port == 5001)
        #expect(!configuration.legacyRewrites.isEmpty)
        guard case .uplink(let mapping) = configuration.endpoints[0].kind, case .json(let converter) = mapping.converter else {
            Issue.record("not a json uplink")
            return
        }
        #expect(converter.deviceName.description == "request:Device ${name}")
        #expect(converter.deviceProfile?.description == "constant:thermo")
        #expect(try converter.convert(json(#"{"name": "7", "t": "3"}"#), receivedAt: 1)?.deviceName == "Device 7")
        #expect(configuration.requestsMapping?.object["attributeUpdates"] != nil)
    }

    @Test func configWithoutRequestsMappingIsAccepted() throws {
        // The reference treats it as an old config and then fails; here it simply has no downlink.
        let config = try json(#"{"server": {"host": "127.0.0.1", "port": 5000}, "mapping": []}"#)
        let configuration = try RESTConnectorConfiguration.parse(config, file: "rest.json")
        #expect(configuration.endpoints.isEmpty)
        #expect(configuration.server.host == "127.0.0.1")
    }

    private func failure(_ text: String) -> ConfigError? {
        do {
            _ = try RESTConnectorConfiguration.parse(try json(text), file: "rest.json")
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            return nil
        }
    }

    @Test func mistakesNameTheKey() {
        let uplink = #""converter": {"type": "json", "deviceInfo": {"deviceNameExpression": "d"}}"#
        #expect(failure(#"{"mapping": []}"#)?.keyPath == "server")
        #expect(failure(#"{"server": {"port": 1}, "mapping": []}"#)?.keyPath == "server.host")
        #expect(failure(#"{"server": {"host": "h", "port": 70000}}"#)?.keyPath == "server.port")
        #expect(failure(#"{"server": {"host": "h", "SSL": true}}"#)?.keyPath == "server.security")
        #expect(failure(#"{"server": {"host": "h"}, "mapping": [{"endpoint": "nope", \#(uplink)}]}"#)?.keyPath
            == "mapping[0].endpoint")
        #expect(failure(#"{"server": {"host": "h"}, "mapping": [{"endpoint": "/a", \#(uplink)}, {"endpoint": "/a", \#(uplink)}]}"#)?
            .keyPath == "mapping[1].endpoint")
        #expect(failure(#"{"server": {"host": "h"}, "mapping": [{"endpoint": "/a", "HTTPMethods": [1], \#(uplink)}]}"#)?
            .keyPath == "mapping[0].HTTPMethods[0]")
        #expect(failure(#"{"server": {"host": "h"}, "mapping": [{"endpoint": "/a", "security": {"type": "basic"}, \#(uplink)}]}"#)?
            .keyPath == "mapping[0].security.username")
        #expect(failure(#"{"server": {"host": "h"}, "mapping": [{"endpoint": "/a", "converter": {"type": "custom", "extension": "Nope"}}]}"#)?
            .keyPath == "mapping[0].converter.extension")
        #expect(failure(#"{"server": {"host": "h"}, "mapping": [{"endpoint": "/a", "converter": {"type": "json", "deviceInfo": {"deviceNameExpression": "${x"}}}]}"#)?
            .keyPath == "mapping[0].converter.deviceInfo.deviceNameExpression")
        #expect(failure(#"{"server": {"host": "h"}, "mapping": [{"endpoint": "/a", "response": {"timeout": 0}, \#(uplink)}]}"#)?
            .keyPath == "mapping[0].response.timeout")
        #expect(failure(#"{"server": {"host": "h"}, "requestsMapping": {"attributeRequests": [{"endpoint": "/r", "type": "both", "deviceNameExpression": "a", "attributeNameExpression": "b"}]}}"#)?
            .keyPath == "requestsMapping.attributeRequests[0].type")
    }

    @Test func customConvertersRegisterByName() throws {
        struct Fixed: RESTUplinkConverter {
            let device: String
            func convert(_ request: RESTUplinkRequest) throws(RESTConversionError) -> [ConvertedData] {
                [ConvertedData(deviceName: device, attributes: ["size": .int(Int64(request.body.readableBytes))])]
            }
        }
        RESTCustomConverters.register("FixedTestConverter") { setup throws(ConfigError) in
            Fixed(device: try setup.converter.string("device", default: "fixed"))
        }
        defer { RESTCustomConverters.unregister("FixedTestConverter") }
        #expect(RESTCustomConverters.registeredNames.contains("CustomRestUplinkConverter"))
        let config = try json(#"{"server": {"host": "h"}, "mapping": [{"endpoint": "/a", "converter": {"type": "custom", "extension": "FixedTestConverter", "device": "dev"}}]}"#)
        let configuration = try RESTConnectorConfiguration.parse(config, file: "rest.json")
        guard case .uplink(let mapping) = configuration.endpoints[0].kind,
              case .custom(_, let converter) = mapping.converter else {
            Issue.record("not a custom uplink")
            return
        }
        let request = RESTUplinkRequest(method: "POST", path: "/a", fields: [:], contentType: nil,
                                        body: .init(string: "abc"), receivedAt: 0)
        #expect(try converter.convert(request) == [ConvertedData(deviceName: "dev", attributes: ["size": 3])])
    }
}
