import GatewayKit
import OPCUA
import Testing
@testable import OPCUAConnector

@Suite("OPC-UA connector configuration")
struct ConfigurationTests {
    static func parse(_ json: JSONValue) throws -> OPCUAConnectorConfiguration {
        try OPCUAConnectorConfiguration(json: json, file: "opcua.json")
    }

    static func error(_ json: JSONValue) -> ConfigError? {
        do {
            _ = try parse(json)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            return nil
        }
    }

    static func minimal(server: JSONObject = [:], mapping: [JSONValue]? = nil) -> JSONValue {
        var serverObject: JSONObject = ["url": "127.0.0.1:4840/freeopcua/server/"]
        for (key, value) in server { serverObject[key] = value }
        let defaultMapping: [JSONValue] = [[
            "deviceNodePattern": "Root\\.Objects\\.Dev",
            "deviceInfo": ["deviceNameExpression": "Dev"],
        ]]
        return ["server": .object(serverObject), "mapping": .array(mapping ?? defaultMapping)]
    }

    @Test("the reference example opcua.json loads unchanged")
    func referenceExample() throws {
        let config = try Self.parse(try CompatCorpus.json(CompatCorpus.root.appendingPathComponent("reference-configs/opcua.json")))
        #expect(config.server.url == "opc.tcp://127.0.0.1:4840/freeopcua/server/")
        #expect(config.server.enableSubscriptions == false)
        #expect(config.server.pollPeriod == .milliseconds(5000))
        #expect(config.server.scanPeriod == .milliseconds(3_600_000))
        #expect(config.server.subscriptionBatchCollectionTime == .milliseconds(200))
        #expect(config.server.securityPolicy == "Basic128Rsa15")
        // Anonymous identity: the reference applies the policy only with certificates.
        #expect(config.server.effectiveSecurityPolicy == "None")
        #expect(config.mapping.count == 1)
        let device = config.mapping[0]
        #expect(device.deviceNodePattern == .path(OPCUABrowsePath(parsing: "Root\\.Objects\\.MyObject")))
        #expect(device.deviceName.isConstant && device.deviceName.source == "Demo Device")
        #expect(device.attributes.map(\.key) == ["frequency", "power"])
        #expect(device.timeseries.map(\.key) == ["temperature", "humidity", "relay"])
        #expect(device.timeseries[0].node == .relative(OPCUABrowsePath(parsing: "Temperature")))
        #expect(device.rpcMethods.map(\.method) == ["multiply", "get_relay", "set_relay"])
        #expect(device.rpcMethods[0].arguments == [.init(type: "integer", value: 2), .init(type: "integer", value: 4)])
        // attributes_updates may name the node without ${}.
        #expect(device.attributeUpdates == [OPCUAAttributeUpdateMapping(
            key: "relay", node: .absolute(OPCUABrowsePath(parsing: "Root\\.Objects\\.MyObject\\.Relay")))])
    }

    @Test("every upstream blackbox config loads", arguments: try CompatCorpus.allBlackboxConfigs())
    func blackboxConfigs(path: String) throws {
        let config = try Self.parse(try CompatCorpus.blackboxConfig(path))
        #expect(!config.mapping.isEmpty)
        #expect(config.server.enableSubscriptions)
    }

    @Test("defaults are the reference connector's code defaults")
    func defaults() throws {
        let config = try Self.parse(Self.minimal())
        let server = config.server
        #expect(server.url == "opc.tcp://127.0.0.1:4840/freeopcua/server/")
        #expect(server.timeout == .milliseconds(4000))
        #expect(server.scanPeriod == .milliseconds(3_600_000))
        #expect(server.pollPeriod == .milliseconds(5000))
        #expect(server.enableSubscriptions)
        #expect(server.subscriptionPublishingInterval == .milliseconds(100))
        #expect(server.subscriptionDataMaxBatchSize == 1000)
        #expect(server.subscriptionBatchCollectionTime == .milliseconds(200))
        #expect(server.subscriptionProcessBatchSize == 2000)
        #expect(server.sessionTimeout == .milliseconds(120_000))
        #expect(server.reconnectRetriesCount == 8)
        #expect(server.reconnectBackoffInitialDelay == .seconds(1))
        #expect(server.reconnectBackoffFactor == 2)
        #expect(server.subscriptionKeepAlivePeriod == .zero)
        #expect(server.identity == .anonymous)
        #expect(config.mapping[0].deviceProfile.source == "default")
    }

    @Test("periods below the reference's minimum are raised to it")
    func minimums() throws {
        let config = try Self.parse(Self.minimal(server: ["subCheckPeriodInMillis": 10, "subDataMinBatchCreationTimeMs": 5]))
        #expect(config.server.subscriptionPublishingInterval == .milliseconds(100))
        #expect(config.server.subscriptionBatchCollectionTime == .milliseconds(100))
    }

    @Test("identity: username, certificates with old and new key names")
    func identities() throws {
        let user = try Self.parse(Self.minimal(server: ["identity": ["type": "username", "username": "op", "password": "pw"]]))
        #expect(user.server.identity.username == "op" && user.server.identity.password == "pw")
        let certificates = try Self.parse(Self.minimal(server: [
            "security": "Basic256Sha256",
            "identity": ["type": "certificates", "pathToClientCert": "/c.pem", "pathToPrivateKey": "/k.pem",
                         "pathToCACert": "/ca.pem", "mode": "Sign"],
        ]))
        #expect(certificates.server.identity.certificates == .init(serverCertificatePath: "/ca.pem",
                                                                   clientCertificatePath: "/c.pem",
                                                                   privateKeyPath: "/k.pem", mode: .sign))
        #expect(certificates.server.effectiveSecurityPolicy == "Basic256Sha256")
        let pem = try Self.parse(Self.minimal(server: [
            "security": "Basic128Rsa15", "identity": ["type": "cert.PEM", "cert": "/c.pem", "privateKey": "/k.pem"],
        ]))
        #expect(pem.server.identity.certificates?.mode == .signAndEncrypt)
    }

    @Test("bad configs name the key that is wrong")
    func badConfigs() {
        #expect(Self.error(["mapping": []])?.keyPath == "server")
        #expect(Self.error(["server": [:]])?.keyPath == "server.url")
        #expect(Self.error(Self.minimal(server: ["timeoutInMillis": "soon"]))?.keyPath == "server.timeoutInMillis")
        #expect(Self.error(Self.minimal(server: ["security": "Basic512"]))?.keyPath == "server.security")
        #expect(Self.error(Self.minimal(server: ["identity": ["type": "kerberos"]]))?.keyPath == "server.identity.type")
        #expect(Self.error(Self.minimal(server: ["identity": ["type": "cert.PEM", "privateKey": "/k"], "security": "Basic256"]))?
            .keyPath == "server.identity.cert")
        #expect(Self.error(Self.minimal(server: ["identity": ["type": "cert.PEM", "cert": "/c", "privateKey": "/k"]]))?
            .keyPath == "server.security")
        #expect(Self.error(Self.minimal(mapping: [["deviceInfo": ["deviceNameExpression": "D"]]]))?
            .keyPath == "mapping[0].deviceNodePattern")
        #expect(Self.error(Self.minimal(mapping: [["deviceNodePattern": "Root\\.Objects\\.D"]]))?
            .keyPath == "mapping[0].deviceInfo")
        #expect(Self.error(Self.minimal(mapping: [["deviceNodeSource": "identifier", "deviceNodePattern": "ns=x;i=1",
                                                   "deviceInfo": ["deviceNameExpression": "D"]]]))?
            .keyPath == "mapping[0].deviceNodePattern")
        let badValue = Self.error(Self.minimal(mapping: [["deviceNodePattern": "Root\\.Objects\\.D",
                                                          "deviceInfo": ["deviceNameExpression": "D"],
                                                          "timeseries": [["key": "t", "type": "identifier",
                                                                          "value": "${ns=2;i=abc}"]]]]))
        #expect(badValue?.keyPath == "mapping[0].timeseries[0].value")
        #expect(badValue?.expected.contains("NodeId") == true)
        #expect(Self.error(Self.minimal(mapping: [["deviceNodePattern": "Root\\.Objects\\.D",
                                                   "deviceInfo": ["deviceNameExpression": "D"],
                                                   "timeseries": [["key": "t", "value": "${T}", "timestampLocation": "device"]]]]))?
            .keyPath == "mapping[0].timeseries[0].timestampLocation")
        #expect(Self.error(Self.minimal(mapping: [["deviceNodePattern": "Root\\.Objects\\.D",
                                                   "deviceInfo": ["deviceNameExpression": "D"],
                                                   "attributes_updates": [["key": "k"]]]]))?
            .keyPath == "mapping[0].attributes_updates[0].value")
    }

    @Test("datapoint options: constant values, timestamp location, report strategies")
    func datapointOptions() throws {
        let config = try Self.parse(Self.minimal(mapping: [[
            "deviceNodePattern": "Root\\.Objects\\.D",
            "deviceInfo": ["deviceNameExpression": "D"],
            "reportStrategy": ["type": "ON_CHANGE"],
            "attributes": [["key": "model", "type": "constant", "value": "X-100"]],
            "timeseries": [["key": "t", "type": "path", "value": "${T}", "timestampLocation": "SourceTimestamp",
                            "reportStrategy": ["type": "ON_REPORT_PERIOD", "reportPeriod": 500]]],
        ]]))
        let mapping = config.mapping[0]
        #expect(mapping.reportStrategy == ReportStrategy(kind: .onChange))
        #expect(mapping.attributes[0].source == .constant("X-100"))
        #expect(mapping.timeseries[0].timestampLocation == .sourceTimestamp)
        #expect(mapping.timeseries[0].reportStrategy == ReportStrategy(kind: .onReportPeriod, reportPeriodMs: 500))
    }

    @Test("an old-style config (server.mapping) becomes the same model as its new form")
    func legacyLayout() throws {
        let legacy: JSONValue = [
            "server": [
                "name": "OPC-UA Default Server", "url": "localhost:4840/freeopcua/server/",
                "timeoutInMillis": 5000, "scanPeriodInMillis": 5000, "disableSubscriptions": true,
                "subCheckPeriodInMillis": 100, "showMap": false, "security": "Basic128Rsa15",
                "identity": ["type": "anonymous"],
                "mapping": [[
                    "deviceNodePattern": "Root\\.Objects\\.Device1",
                    "deviceNamePattern": "Device ${Root\\.Objects\\.Device1\\.serialNumber}",
                    "attributes": [["key": "temperature °C", "path": "${ns=2;i=5}"]],
                    "timeseries": [["key": "humidity", "path": "${TemperatureAndHumiditySensor\\.Humidity}"],
                                   ["key": "batteryLevel", "path": "${Battery\\.batteryLevel}"]],
                    "rpc_methods": [["method": "multiply", "arguments": [2, 4.5, "x", true]]],
                    "attributes_updates": [["attributeOnThingsBoard": "deviceName",
                                            "attributeOnDevice": "Root\\.Objects\\.Device1\\.serialNumber"]],
                ]],
            ],
        ]
        let modern: JSONValue = [
            "server": [
                "name": "OPC-UA Default Server", "url": "localhost:4840/freeopcua/server/",
                "timeoutInMillis": 5000, "scanPeriodInMillis": 5000, "enableSubscriptions": false,
                "subCheckPeriodInMillis": 100, "showMap": false, "security": "Basic128Rsa15",
                "identity": ["type": "anonymous"],
            ],
            "mapping": [[
                "deviceNodeSource": "path",
                "deviceNodePattern": "Root\\.Objects\\.Device1",
                "deviceInfo": ["deviceNameExpressionSource": "path",
                               "deviceNameExpression": "Device ${Root\\.Objects\\.Device1\\.serialNumber}",
                               "deviceProfileExpressionSource": "constant", "deviceProfileExpression": "default"],
                "attributes": [["key": "temperature °C", "type": "identifier", "value": "${ns=2;i=5}"]],
                "timeseries": [["key": "humidity", "type": "path", "value": "${TemperatureAndHumiditySensor\\.Humidity}"],
                               ["key": "batteryLevel", "type": "path", "value": "${Battery\\.batteryLevel}"]],
                "rpc_methods": [["method": "multiply", "arguments": [["type": "integer", "value": 2],
                                                                     ["type": "double", "value": 4.5],
                                                                     ["type": "string", "value": "x"],
                                                                     ["type": "boolean", "value": true]]]],
                "attributes_updates": [["key": "deviceName", "type": "path",
                                        "value": "Root\\.Objects\\.Device1\\.serialNumber"]],
            ]],
        ]
        let converted = try Self.parse(legacy)
        let expected = try Self.parse(modern)
        #expect(converted.server == expected.server)
        #expect(converted.mapping == expected.mapping)
        #expect(converted.server.enableSubscriptions == false)
        #expect(converted.warnings.contains { $0.contains("old configuration layout") })
        #expect(converted.mapping[0].deviceName.references ==
                [.absolute(OPCUABrowsePath(parsing: "Root\\.Objects\\.Device1\\.serialNumber"))])
    }
}

@Suite("OPC-UA node expressions")
struct NodeExpressionTests {
    @Test("NodeIds of every identifier type, with or without ${}")
    func nodeIds() throws {
        #expect(try OPCUANodeReference(expression: "${ns=2;i=12}") == .nodeId(.numeric(12, namespace: 2)))
        #expect(try OPCUANodeReference(expression: "${ns=4;s=TempSensor_S}") == .nodeId(.string("TempSensor_S", namespace: 4)))
        #expect(try OPCUANodeReference(expression: "${ns=3;b=TXlOb2RlSWQ=}") == .nodeId(.opaque(Array("MyNodeId".utf8), namespace: 3)))
        let guid = try #require(Guid("baeaf004-1e43-4a06-9ef0-e52010d5cd12"))
        #expect(try OPCUANodeReference(expression: "${ns=5;g=baeaf004-1e43-4a06-9ef0-e52010d5cd12}") == .nodeId(.guid(guid, namespace: 5)))
        #expect(try OPCUANodeReference(expression: "ns=3;i=9") == .nodeId(.numeric(9, namespace: 3)))
        #expect(try OPCUANodeReference(expression: "${i=2259}") == .nodeId(.numeric(2259)))
        #expect(throws: OPCUANodeReference.Invalid.self) { try OPCUANodeReference(expression: "${ns=2;i=x}") }
        #expect(throws: OPCUANodeReference.Invalid.self) { try OPCUANodeReference(expression: "${}") }
    }

    @Test("absolute and relative browse paths, ns prefixes")
    func paths() throws {
        let absolute = try OPCUANodeReference(expression: "${Root\\.Objects\\.TempSensor\\.Pressure}")
        guard case .absolute(let path) = absolute else {
            Issue.record("expected an absolute path, got \(absolute)")
            return
        }
        #expect(path.belowRoot.map(\.name) == ["Objects", "TempSensor", "Pressure"])
        let relative = try OPCUANodeReference(expression: "${Sensors\\.2:Temperature}")
        guard case .relative(let relativePath) = relative else {
            Issue.record("expected a relative path, got \(relative)")
            return
        }
        #expect(relativePath.segments.map(\.name) == ["Sensors", "Temperature"])
        #expect(relativePath.segments.map(\.namespace) == [nil, 2])
        // RPC params may use plain dots after Root.
        #expect(OPCUABrowsePath(parsing: "Root.Objects.TempSensor.Pressure").belowRoot.map(\.name)
                == ["Objects", "TempSensor", "Pressure"])
    }

    @Test("segments match literally, by regular expression, and by namespace")
    func segmentMatching() {
        let literal = OPCUAPathSegment("TempSensor")
        #expect(literal.matches(namespace: 3, name: "TempSensor"))
        #expect(!literal.matches(namespace: 3, name: "TempSensor_S"))
        #expect(!literal.isPattern)
        let pattern = OPCUAPathSegment("Boiler\\d+")
        #expect(pattern.isPattern)
        #expect(pattern.matches(namespace: 2, name: "Boiler1"))
        #expect(pattern.matches(namespace: 2, name: "Boiler12"))
        #expect(!pattern.matches(namespace: 2, name: "Boiler1x"))
        let alternation = OPCUAPathSegment("Dev|Device")
        #expect(alternation.matches(namespace: 0, name: "Device"))
        let withNamespace = OPCUAPathSegment("3:TempSensor")
        #expect(withNamespace.matches(namespace: 3, name: "TempSensor"))
        #expect(!withNamespace.matches(namespace: 4, name: "TempSensor"))
        // A name that is an invalid expression still matches itself.
        let odd = OPCUAPathSegment("Temp(1")
        #expect(odd.matches(namespace: 1, name: "Temp(1"))
        // A name with pattern characters matches itself literally too.
        #expect(OPCUAPathSegment("Temp.1").matches(namespace: 1, name: "Temp.1"))
    }

    @Test("name templates: constants, node placeholders, text around them")
    func templates() throws {
        let constant = try OPCUANameTemplate("Temp Sensor")
        #expect(constant.isConstant)
        let template = try OPCUANameTemplate("Boiler ${SerialNumber} (${ns=2;i=7})")
        #expect(template.references == [.relative(OPCUABrowsePath(parsing: "SerialNumber")), .nodeId(.numeric(7, namespace: 2))])
        let text = template.render { reference in
            reference == .nodeId(.numeric(7, namespace: 2)) ? "hall" : "SN-1"
        }
        #expect(text == "Boiler SN-1 (hall)")
    }
}
