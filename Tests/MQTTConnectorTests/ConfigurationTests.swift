import Foundation
import GatewayKit
import MQTT
import Testing
@testable import MQTTConnector

/// ../shared/compat relative to the project root (the compatibility corpus).
func compatDirectory() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/compat")
}

func loadJSON(_ url: URL) throws -> JSONValue {
    try JSONValue.parse(Array(try Data(contentsOf: url)))
}

func parse(_ text: String) throws -> MQTTConnectorConfiguration {
    try MQTTConnectorConfiguration.parse(try JSONValue.parse(text), file: "mqtt.json")
}

/// The ConfigError that parsing `text` throws (fails the test when it parses).
func configError(_ text: String) throws -> ConfigError {
    do {
        _ = try parse(text)
    } catch let error as ConfigError {
        return error
    }
    Issue.record("expected a ConfigError for \(text)")
    return ConfigError(file: "", keyPath: "", expected: "")
}

@Suite struct ConfigurationTests {
    @Test func theReferenceExampleConfigParses() throws {
        let document = try loadJSON(compatDirectory().appendingPathComponent("reference-configs/mqtt.json"))
        let configuration = try MQTTConnectorConfiguration.parse(document, file: "mqtt.json")
        #expect(configuration.broker.host == "127.0.0.1")
        #expect(configuration.broker.port == 1883)
        #expect(configuration.broker.clientID == "ThingsBoard_gateway")
        #expect(configuration.broker.version == .v5)
        #expect(configuration.broker.security == .anonymous)
        #expect(configuration.mappings.map(\.topicFilter.filter) == ["data/", "sensor/+/data", "sensor/raw_data", "custom/sensors/+"])
        #expect(configuration.mappings.map(\.converter.typeName) == ["json", "json", "bytes", "custom"])
        #expect(configuration.mappings.allSatisfy { $0.subscriptionQoS == .atLeastOnce })
        guard case .json(let topicNamed) = configuration.mappings[1].converter else { Issue.record("not json"); return }
        #expect(topicNamed.deviceName.source == .topic)
        #expect(topicNamed.deviceName.expression == "(?<=sensor/)(.*?)(?=/data)")
        #expect(topicNamed.deviceProfile?.expression == "Thermometer")
        guard case .custom(let custom) = configuration.mappings[3].converter else { Issue.record("not custom"); return }
        #expect(custom.extensionName == "CustomMqttUplinkConverter")
        #expect(custom.extensionConfig == ["temperature": 2, "humidity": 2, "batteryLevel": 1])
        let requests = configuration.requests
        #expect(requests.connectRequests.count == 2)
        #expect(requests.disconnectRequests.count == 2)
        #expect(requests.attributeRequests.count == 1)
        #expect(requests.attributeUpdates.count == 1)
        #expect(requests.serverSideRpc.map(\.kind) == [.twoWay, .oneWay])
        #expect(requests.serverSideRpc[0].responseTimeoutMs == 10_000)
        #expect(configuration.legacyRewrites.isEmpty)
    }

    /// Every old-format file of the upstream tests parses to the same model as its new-format twin.
    @Test(arguments: ["mapping", "connect_requests", "disconnect_requests", "attribute_requests",
                      "attribute_updates", "server_side_rpc"])
    func oldFormatParsesLikeNewFormat(directory: String) throws {
        let base = compatDirectory().appendingPathComponent("upstream-tests/unit/connectors/mqtt/data/\(directory)")
        let old = try MQTTConnectorConfiguration.parse(try loadJSON(base.appendingPathComponent("old_config.json")),
                                                       file: "old_config.json")
        let new = try MQTTConnectorConfiguration.parse(try loadJSON(base.appendingPathComponent("new_config.json")),
                                                       file: "new_config.json")
        #expect(old.broker == new.broker)
        #expect(old.mappings == new.mappings)
        #expect(old.requests == new.requests)
        #expect(old.reportStrategy == new.reportStrategy)
        #expect(!old.legacyRewrites.isEmpty)
        #expect(new.legacyRewrites.isEmpty)
        // Not vacuous: each pair exercises its section.
        let sizes = [new.mappings.count, new.requests.connectRequests.count, new.requests.disconnectRequests.count,
                     new.requests.attributeRequests.count, new.requests.attributeUpdates.count,
                     new.requests.serverSideRpc.count]
        #expect(sizes.reduce(0, +) > 0)
    }

    @Test func theOldMappingIsRewrittenIntoDeviceInfo() throws {
        let base = compatDirectory().appendingPathComponent("upstream-tests/unit/connectors/mqtt/data/mapping")
        let old = try MQTTConnectorConfiguration.parse(try loadJSON(base.appendingPathComponent("old_config.json")),
                                                       file: "old_config.json")
        guard case .json(let byMessage) = old.mappings[0].converter, case .json(let byTopic) = old.mappings[1].converter,
              case .bytes(let bytes) = old.mappings[2].converter, case .custom(let custom) = old.mappings[3].converter
        else { Issue.record("converter types"); return }
        #expect(byMessage.deviceName.source == .message && byMessage.deviceName.expression == "${serialNumber}")
        #expect(byMessage.deviceProfile?.source == .message && byMessage.deviceProfile?.expression == "${sensorType}")
        #expect(byTopic.deviceName.source == .topic)
        #expect(byTopic.deviceProfile?.source == .topic && byTopic.deviceProfile?.expression == "Thermometer")
        #expect(bytes.deviceName.source == nil && bytes.deviceName.expression == "[0:4]")
        #expect(custom.extensionConfig == ["temperatureBytes": 2, "humidityBytes": 2, "batteryLevelBytes": 1])
    }

    /// Every whole connector file among the upstream test data parses.
    @Test func everyUpstreamConnectorFileParses() throws {
        let base = compatDirectory().appendingPathComponent("upstream-tests/unit/connectors/mqtt/data")
        let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".json") } ?? []
        var parsed = 0
        for file in files {
            let document = try loadJSON(base.appendingPathComponent(file))
            guard document["broker"] != nil else { continue }  // a section fixture, not a whole file
            _ = try MQTTConnectorConfiguration.parse(document, file: file)
            parsed += 1
        }
        #expect(parsed >= 14)
    }

    @Test func defaultsAndClientSettings() throws {
        let configuration = try parse(#"{"broker": {"host": "broker.local"}, "mapping": []}"#)
        let broker = configuration.broker
        #expect(broker.port == 1883)
        #expect(broker.version == .v5)
        #expect(broker.keepAliveSeconds == 60)
        #expect(broker.clientID.count == 23)
        #expect(broker.clientID.allSatisfy { $0.isLowercase && $0.isLetter })
        let client = broker.clientConfiguration()
        #expect(client.host == "broker.local")
        #expect(client.cleanSession)
        #expect(client.sessionExpiryInterval == 0)
        #expect(client.tls == nil && client.username == nil)
    }

    @Test func acknowledgeAfterStorageAndWhetherTheSessionOutlivesAConnection() throws {
        #expect(try !parse(#"{"broker": {"host": "h"}}"#).broker.clientConfiguration().acknowledgesInboundOnRequest)
        let cases: [(String, Bool)] = [
            (#""version": 4, "cleanSession": false"#, true),
            (#""version": 4"#, false),
            (#""cleanStart": false, "sessionExpiryInterval": 300"#, true),
            (#""sessionExpiryInterval": 300"#, false),  // clean start discards it on every connect
            (#""cleanStart": false"#, false),           // expires when the connection ends
        ]
        for (keys, keeps) in cases {
            let broker = try parse(#"{"broker": {"host": "h", "acknowledgeAfterStorage": true, "# + keys + "}}").broker
            #expect(broker.acknowledgeAfterStorage)
            #expect(broker.keepsSession == keeps, "\(keys)")
            // Ignored with a clean session: the broker would keep nothing.
            #expect(broker.clientConfiguration().acknowledgesInboundOnRequest == keeps, "\(keys)")
        }
        #expect(throws: ConfigError.self) { try parse(#"{"broker": {"host": "h", "acknowledgeAfterStorage": "soon"}}"#) }
    }

    @Test func readBatchingMs() throws {
        #expect(try parse(#"{"broker": {"host": "h"}}"#).broker.clientConfiguration().readBatching == nil)
        #expect(try parse(#"{"broker": {"host": "h", "readBatchingMs": 0}}"#).broker.clientConfiguration().readBatching == nil)
        let broker = try parse(#"{"broker": {"host": "h", "readBatchingMs": 5}}"#).broker
        #expect(broker.readBatchingMilliseconds == 5)
        #expect(broker.clientConfiguration().readBatching == .milliseconds(5))
        for bad in [#""soon""#, "-1", "101"] {
            let error = try configError(#"{"broker": {"host": "h", "readBatchingMs": "# + bad + "}}")
            #expect(error.keyPath == "broker.readBatchingMs", "\(error)")
        }
    }

    @Test func version4BasicSecurity() throws {
        let configuration = try parse("""
            {"broker": {"host": "h", "port": "1884", "version": 4, "cleanSession": false, "keepAlive": 15,
                        "clientId": "gw", "security": {"type": "basic", "username": "u", "password": "p"}}}
            """)
        let client = configuration.broker.clientConfiguration()
        #expect(client.version == .v3_1_1)
        #expect(client.port == 1884)
        #expect(!client.cleanSession)
        #expect(client.sessionExpiryInterval == nil)
        #expect(client.keepAlive == .seconds(15))
        #expect(client.clientID == "gw")
        #expect(client.username == "u")
        #expect(client.password == Array("p".utf8))
    }

    /// As the reference: `basic` without a username logs in anonymously.
    @Test func basicWithoutAUsernameIsAnonymous() throws {
        let client = try parse(#"{"broker": {"host": "h", "security": {"type": "basic"}}}"#).broker.clientConfiguration()
        #expect(client.username == nil && client.password == nil && client.tls == nil)
    }

    @Test func rootAndMappingReportStrategies() throws {
        let configuration = try parse("""
            {"broker": {"host": "h"}, "reportStrategy": {"type": "ON_CHANGE"},
             "mapping": [{"topicFilter": "a", "reportStrategy": {"type": "ON_REPORT_PERIOD", "reportPeriod": 500},
                          "converter": {"type": "json", "deviceInfo": {"deviceNameExpressionSource": "constant",
                                        "deviceNameExpression": "D"}, "timeseries": [{"key": "t", "type": "double", "value": "${t}"}]}}]}
            """)
        #expect(configuration.reportStrategy?.kind == .onChange)
        #expect(configuration.mappings[0].reportStrategy == ReportStrategy(kind: .onReportPeriod, reportPeriodMs: 500))
    }

    /// What the reference accepts: any case, an object with neither type nor period (not a
    /// strategy: the next level applies), a period on a non-periodic type (ignored), no period on
    /// a periodic one (10 s here; the reference would report every millisecond below the main
    /// section). A period without a type stops the connector in the reference: a config error here.
    @Test func reportStrategiesAreReadAsLenientlyAsTheReferenceReadsThem() throws {
        func strategy(_ json: String) throws -> ReportStrategy? {
            try parse(#"{"broker": {"host": "h"}, "reportStrategy": "# + json + #", "mapping": []}"#).reportStrategy
        }
        #expect(try strategy(#"{"type": "on_change"}"#) == ReportStrategy(kind: .onChange))
        #expect(try strategy(#"{"ttl": 60}"#) == nil)
        #expect(try strategy(#"{}"#) == nil)
        #expect(throws: ConfigError.self) { try strategy(#"{"reportPeriod": 5000}"#) }
        #expect(try strategy(#"{"type": "ON_CHANGE", "reportPeriod": 0}"#) == ReportStrategy(kind: .onChange))
        #expect(try strategy(#"{"type": "On_Report_Period"}"#) == ReportStrategy(kind: .onReportPeriod, reportPeriodMs: 10_000))
        #expect(throws: ConfigError.self) { try strategy(#"{"type": "OnChange"}"#) }
        #expect(throws: ConfigError.self) { try strategy(#"{"type": "ON_REPORT_PERIOD", "reportPeriod": 0}"#) }
    }

    @Test func requestSectionsMayBeEmptyObjects() throws {
        let configuration = try parse("""
            {"broker": {"host": "h"}, "mapping": [], "requestsMapping": {"connectRequests": {}, "serverSideRpc": []}}
            """)
        #expect(configuration.requests == MQTTRequestsMapping())
    }

    @Test(arguments: [
        (#"{"mapping": []}"#, "broker"),
        (#"{"broker": {"port": 1883}}"#, "broker.host"),
        (#"{"broker": {"host": "h", "version": 6}}"#, "broker.version"),
        (#"{"broker": {"host": "h", "port": 70000}}"#, "broker.port"),
        (#"{"broker": {"host": "h", "security": {"type": "kerberos"}}}"#, "broker.security.type"),
        (#"{"broker": {"host": "h", "security": {"type": "certificates", "pathToCACert": "/no/such/ca.pem"}}}"#,
         "broker.security.pathToCACert"),
        (#"{"broker": {"host": "h"}, "mapping": {}}"#, "mapping"),
        (#"{"broker": {"host": "h"}, "mapping": [{"converter": {}}]}"#, "mapping[0].topicFilter"),
        (#"{"broker": {"host": "h"}, "mapping": [{"topicFilter": "a/#/b", "converter": {}}]}"#, "mapping[0].topicFilter"),
        (#"{"broker": {"host": "h"}, "mapping": [{"topicFilter": "a", "subscriptionQos": 3, "converter": {}}]}"#,
         "mapping[0].subscriptionQos"),
        (#"{"broker": {"host": "h"}, "mapping": [{"topicFilter": "a"}]}"#, "mapping[0].converter"),
        (#"{"broker": {"host": "h"}, "mapping": [{"topicFilter": "a", "converter": {"type": "xml"}}]}"#,
         "mapping[0].converter.type"),
        (#"{"broker": {"host": "h"}, "mapping": [{"topicFilter": "a", "converter": {"type": "json"}}]}"#,
         "mapping[0].converter.deviceInfo"),
        (#"{"broker": {"host": "h"}, "mapping": [{"topicFilter": "a", "converter": {"type": "json", "deviceInfo": {"deviceNameExpressionSource": "header", "deviceNameExpression": "x"}}}]}"#,
         "mapping[0].converter.deviceInfo.deviceNameExpressionSource"),
        (#"{"broker": {"host": "h"}, "mapping": [{"topicFilter": "a", "converter": {"type": "json", "deviceInfo": {"deviceNameExpressionSource": "message"}}}]}"#,
         "mapping[0].converter.deviceInfo.deviceNameExpression"),
        (#"{"broker": {"host": "h"}, "mapping": [{"topicFilter": "a", "converter": {"type": "bytes", "deviceInfo": {"deviceNameExpression": "[0:2]"}, "timeseries": [{"key": "t"}]}}]}"#,
         "mapping[0].converter.timeseries[0].value"),
        (#"{"broker": {"host": "h"}, "requestsMapping": {"connectRequests": [{"topicFilter": "c"}]}}"#,
         "requestsMapping.connectRequests[0].deviceInfo"),
        (#"{"broker": {"host": "h"}, "requestsMapping": {"connectRequests": {"topicFilter": "c"}}}"#,
         "requestsMapping.connectRequests"),
        (#"{"broker": {"host": "h"}, "requestsMapping": {"attributeUpdates": [{"deviceNameFilter": ".*", "topicExpression": "t", "valueExpression": "v"}]}}"#,
         "requestsMapping.attributeUpdates[0].attributeFilter"),
        (#"{"broker": {"host": "h"}, "requestsMapping": {"serverSideRpc": [{"type": "twoWay", "deviceNameFilter": ".*", "methodFilter": "m", "requestTopicExpression": "r", "valueExpression": "v"}]}}"#,
         "requestsMapping.serverSideRpc[0].responseTopicExpression"),
        (#"{"broker": {"host": "h"}, "requestsMapping": {"serverSideRpc": [{"deviceNameFilter": "(", "methodFilter": "m", "requestTopicExpression": "r", "valueExpression": "v"}]}}"#,
         "requestsMapping.serverSideRpc[0].deviceNameFilter"),
    ])
    func badConfigsNameTheKey(text: String, keyPath: String) throws {
        let error = try configError(text)
        #expect(error.keyPath == keyPath, "\(error)")
        #expect(error.file == "mqtt.json")
    }

    @Test func oldTopLevelSectionsMoveIntoRequestsMapping() throws {
        let configuration = try parse("""
            {"broker": {"host": "h"},
             "dataMapping": [{"topicFilter": "d/+", "converter": {"type": "json", "deviceNameTopicExpression": "[^/]+$",
                              "timeseries": "*"}}],
             "attributeRequests": [{"topicFilter": "req", "deviceNameTopicExpression": "x",
                                    "attributeNameTopicExpression": "[^/]+$", "topicExpression": "t", "valueExpression": "v"}]}
            """)
        #expect(configuration.mappings.first?.topicFilter.filter == "d/+")
        let request = try #require(configuration.requests.attributeRequests.first)
        #expect(request.deviceName.source == .topic)
        #expect(request.attributeNameSource == .topic)
        #expect(request.attributeNameExpression == "[^/]+$")
        #expect(configuration.legacyRewrites.contains("dataMapping"))
    }

    /// Edges of the reference's adapter: an empty old key is dropped, `extension-config` wins over
    /// `extensionConfig`, and `attributeNameJsonExpression` over `attributeNameTopicExpression`.
    @Test func oldKeysConvertAsTheReferenceConvertsThem() throws {
        let document = try JSONValue.parse("""
            {"broker": {"host": "h"},
             "mapping": [{"topicFilter": "a", "converter": {"type": "json", "deviceNameJsonExpression": "${sn}",
                          "deviceTypeJsonExpression": "", "timeseries": "*"}},
                         {"topicFilter": "b", "converter": {"type": "custom", "extension": "X",
                          "extension-config": {"a": 1}, "extensionConfig": {"b": 2}}}],
             "attributeRequests": [{"topicFilter": "req", "deviceNameJsonExpression": "${sn}",
                                    "attributeNameTopicExpression": "[^/]+$", "attributeNameJsonExpression": "${key}",
                                    "topicExpression": "t", "valueExpression": "v"}]}
            """)
        let (root, _) = MQTTLegacyConfigAdapter.normalize(try #require(document.objectValue))
        let mappings = try #require(root["mapping"]?.arrayValue)
        #expect(mappings[0]["converter"]?["deviceInfo"]
                == ["deviceNameExpressionSource": "message", "deviceNameExpression": "${sn}"])
        #expect(mappings[1]["converter"]?["extensionConfig"] == ["a": 1])
        let request = try #require(root["requestsMapping"]?["attributeRequests"]?.arrayValue?.first)
        #expect(request["attributeNameExpressionSource"] == "message")
        #expect(request["attributeNameExpression"] == "${key}")
        // And the whole file loads: the profile of the first mapping is "default".
        _ = try parse(document.jsonString)
    }

    /// The reference adapts only configs without `deviceInfo`; an old key left beside a
    /// `deviceInfo` (a half-migrated file) must not override it.
    @Test func anOldKeyBesideDeviceInfoIsIgnored() throws {
        let document = try JSONValue.parse("""
            {"broker": {"host": "h"},
             "mapping": [{"topicFilter": "a", "converter": {"type": "json",
                          "deviceInfo": {"deviceNameExpressionSource": "message", "deviceNameExpression": "${sn}"},
                          "deviceNameJsonExpression": "${kind}", "timeseries": "*"}}]}
            """)
        let (root, rewrites) = MQTTLegacyConfigAdapter.normalize(try #require(document.objectValue))
        #expect(root["mapping"]?.arrayValue?.first?["converter"]?["deviceInfo"]
                == ["deviceNameExpressionSource": "message", "deviceNameExpression": "${sn}"])
        #expect(rewrites.isEmpty)
    }

    @Test func attributeUpdateAndRPCRendering() throws {
        let configuration = try parse("""
            {"broker": {"host": "h"}, "requestsMapping": {
              "attributeUpdates": [{"deviceNameFilter": ".*", "attributeFilter": "uploadFrequency",
                "topicExpression": "sensor/${deviceName}/${attributeKey}",
                "valueExpression": "{\\"${attributeKey}\\":\\"${attributeValue}\\"}"}],
              "serverSideRpc": [{"deviceNameFilter": ".*", "methodFilter": "echo",
                "requestTopicExpression": "sensor/${deviceName}/request/${methodName}/${requestId}",
                "responseTopicExpression": "sensor/${deviceName}/response/${methodName}/${requestId}",
                "responseTimeout": 1000, "valueExpression": "${params}"}]}}
            """)
        let update = try #require(configuration.requests.attributeUpdates.first)
        let rendered = update.render(deviceName: "SN-1", key: "uploadFrequency", value: 5)
        #expect(rendered.topic == "sensor/SN-1/uploadFrequency")
        #expect(rendered.payload == #"{"uploadFrequency":"5"}"#)
        // Attribute values are formatted as the reference does: booleans lowercase, objects as JSON.
        #expect(update.render(deviceName: "SN-1", key: "uploadFrequency", value: true).payload
                == #"{"uploadFrequency":"true"}"#)
        #expect(update.render(deviceName: "SN-1", key: "uploadFrequency", value: ["a": 1]).payload
                == #"{"uploadFrequency":"{"a":1}"}"#)
        let rpc = try #require(configuration.requests.serverSideRpc.first)
        #expect(rpc.kind == .twoWay)
        let call = rpc.render(deviceName: "SN-1", method: "echo", requestID: 7, params: ["a": 1])
        #expect(call.requestTopic == "sensor/SN-1/request/echo/7")
        #expect(call.responseTopic == "sensor/SN-1/response/echo/7")
        #expect(call.payload == #"{"a":1}"#)
    }
}
