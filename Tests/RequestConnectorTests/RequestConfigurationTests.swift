import Foundation
import GatewayKit
import HTTPConnectorKit
@testable import RequestConnector
import Testing

/// ../shared/compat/reference-configs relative to the project root (the compatibility corpus).
func referenceConfig(_ name: String) throws -> JSONValue {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/compat/reference-configs/\(name)")
    return try JSONValue.parse(String(contentsOf: url, encoding: .utf8))
}

func parse(_ json: String) throws -> RequestConnectorConfiguration {
    try RequestConnectorConfiguration.parse(JSONValue.parse(json), file: "request.json")
}

func configError(_ json: String) -> ConfigError? {
    do {
        _ = try parse(json)
        return nil
    } catch let error as ConfigError {
        return error
    } catch {
        return nil
    }
}

@Suite struct RequestConfigurationTests {
    /// The reference's config/request.json loads unchanged.
    @Test func referenceConfigLoads() throws {
        let configuration = try RequestConnectorConfiguration.parse(referenceConfig("request.json"), file: "request.json")
        #expect(configuration.root.baseURL == "http://127.0.0.1:5000")
        #expect(configuration.root.security == .basic(username: "user", password: "password"))
        #expect(configuration.skipped.isEmpty)
        #expect(configuration.mappings.count == 3)

        let getdata = configuration.mappings[0]
        #expect(getdata.resolvedURL == "http://127.0.0.1:5000/getdata")
        #expect(getdata.httpMethod == "GET")
        #expect(getdata.body == nil, "GET sends no body")
        #expect(getdata.timeout == .milliseconds(500))
        #expect(getdata.scanPeriod == .seconds(5))
        #expect(getdata.allowRedirects)
        #expect(getdata.security == .basic(username: "user", password: "password"))
        #expect(getdata.dataUnpack == nil)
        #expect(getdata.converterName == "json")

        #expect(configuration.mappings[1].converterName == "custom")
        #expect(configuration.mappings[1].converter is HexFieldsRequestConverter)

        let devices = configuration.mappings[2]
        #expect(devices.resolvedURL == "http://127.0.0.1:5000/devices")
        #expect(devices.subRequests.map(\.key) == ["cumPwr"])
        #expect(devices.subRequests.allSatisfy { !$0.isSupported }, "processingFunction is Python")

        #expect(configuration.downlink.attributeUpdates.count == 1)
        #expect(configuration.downlink.serverSideRpc.count == 2)
        let update = configuration.downlink.attributeUpdates[0]
        #expect(update.httpMethod == "POST")
        #expect(update.tries == 3)
        #expect(update.security == .basic(username: "user", password: "password"), "the root security applies")
        #expect(configuration.downlink.rule(forMethod: "echo", device: "SD8500")?.responseTimeout == .seconds(1))
        #expect(configuration.downlink.rule(forMethod: "no-reply", device: "SD8500")?.httpMethod == "POST")
    }

    /// rest.json's requestsMapping holds the REST spelling of the same downlink entries.
    @Test func restRequestsMappingLoads() throws {
        let rest = try referenceConfig("rest.json")
        let reader = try ConfigReader(#require(rest["requestsMapping"]), file: "rest.json", path: "requestsMapping")
        let rules = try HTTPDownlinkRules(reader, defaults: .rest)
        #expect(rules.attributeUpdates.count == 2)
        #expect(rules.serverSideRpc.count >= 2)
        #expect(rules.attributeUpdates[1].security == .certificate(certificateFile: "/thingsboard_gateway/config/cert.pem",
                                                                   keyFile: "/thingsboard_gateway/config/key.pem"))
        #expect(rules.rule(forMethod: "echo", device: "SN-1")?.httpMethod == "GET")
    }

    @Test func mappingDefaultsAndBody() throws {
        let configuration = try parse("""
            {"host": "10.0.0.5:8080/", "mapping": [
              {"url": "/api", "httpMethod": "post", "content": {"a": 1}, "converter": {"deviceNameJsonExpression": "D"}},
              {"url": "/raw", "httpMethod": "PUT", "data": "x=1", "converter": {"type": "json", "deviceNameJsonExpression": "D"}}]}
            """)
        let api = configuration.mappings[0]
        #expect(api.resolvedURL == "http://10.0.0.5:8080/api")
        #expect(api.httpMethod == "POST")
        #expect(api.body == Array(#"{"a":1}"#.utf8))
        #expect(api.headers["Content-Type"] == ["application/json"])
        #expect(api.timeout == .seconds(1))
        #expect(api.scanPeriod == .seconds(10))
        #expect(!api.allowRedirects)
        #expect(!api.verifyCertificates)
        #expect(api.security == .anonymous)
        #expect(configuration.mappings[1].body == Array("x=1".utf8))
        #expect(configuration.mappings[1].headers["Content-Type"].isEmpty)
    }

    @Test func mistakesNameTheKey() {
        #expect(configError(#"{"mapping": []}"#)?.keyPath == "host")
        #expect(configError(#"{"host": "h"}"#)?.keyPath == "mapping")
        #expect(configError(#"{"host": "h", "mapping": [{"converter": {"deviceNameJsonExpression": "D"}}]}"#)?.keyPath
                == "mapping[0].url")
        #expect(configError(#"{"host": "h", "mapping": [{"url": "u"}]}"#)?.keyPath == "mapping[0].converter")
        #expect(configError(#"{"host": "h", "mapping": [{"url": "u", "converter": {}}]}"#)?.keyPath
                == "mapping[0].converter.deviceNameJsonExpression")
        #expect(configError(#"{"host": "h", "mapping": [{"url": "u", "scanPeriod": 0, "converter": {"deviceNameJsonExpression": "D"}}]}"#)?
                .keyPath == "mapping[0].scanPeriod")
        #expect(configError(#"{"host": "h", "mapping": [{"url": "u", "converter": {"type": "xml", "deviceNameJsonExpression": "D"}}]}"#)?
                .keyPath == "mapping[0].converter.type")
        #expect(configError("""
            {"host": "h", "mapping": [{"url": "u", "converter": {"deviceNameJsonExpression": "D",
              "telemetry": [{"key": "t", "value": "${temp"}]}}]}
            """)?.keyPath == "mapping[0].converter.telemetry[0].value")
        #expect(configError(#"{"host": "h", "mapping": [], "serverSideRpc": [{"requestUrlExpression": "x"}]}"#)?.keyPath
                == "serverSideRpc[0].methodFilter")
        #expect(configError(#"{"host": "h", "security": {"type": "basic"}, "mapping": []}"#)?.keyPath == "security.username")
    }

    @Test func basicCredentialsFromTheEnvironment() throws {
        let configuration = try RequestConnectorConfiguration.parse(
            JSONValue.parse(#"{"host": "h", "security": {"type": "basic"}, "mapping": []}"#), file: "request.json",
            environment: ["REQUEST_BASIC_USERNAME": "env", "REQUEST_BASIC_PASSWORD": "pw"])
        #expect(configuration.root.security == .basic(username: "env", password: "pw"))
    }

    /// A custom converter that is not registered leaves its mapping out; the others still run.
    @Test func unknownCustomConverterSkipsTheMapping() throws {
        let configuration = try parse("""
            {"host": "h", "mapping": [
              {"url": "a", "converter": {"type": "custom", "extension": "PythonOnlyConverter"}},
              {"url": "b", "converter": {"deviceNameJsonExpression": "D"}}]}
            """)
        #expect(configuration.mappings.map(\.url) == ["b"])
        #expect(configuration.skipped.map(\.configPath) == ["mapping[0]"])
        #expect(configuration.skipped.first?.reason.contains("PythonOnlyConverter") == true)
    }

    @Test func registeredCustomConverterIsUsed() throws {
        struct Fixed: RequestUplinkConverter {
            let name: String
            func convert(_ record: RequestRecord) throws -> [ConvertedData] {
                [ConvertedData(deviceName: name, attributes: ["size": .int(Int64(record.body.count))])]
            }
        }
        RequestCustomConverters.register("FixedNameConverter") { setup in
            Fixed(name: try setup.converter.string("deviceName", default: nil))
        }
        defer { RequestCustomConverters.unregister("FixedNameConverter") }
        let configuration = try parse("""
            {"host": "h", "mapping": [{"url": "a", "converter": {"type": "custom", "extension": "FixedNameConverter",
                                                             "deviceName": "Meter 7"}}]}
            """)
        let converted = try configuration.mappings[0].converter.convert(
            RequestRecord(url: "http://h/a", json: nil, body: [1, 2, 3], receivedAt: 0))
        #expect(converted == [ConvertedData(deviceName: "Meter 7", attributes: ["size": 3])])
    }
}

@Suite struct RequestConverterTests {
    private func convert(_ converterJSON: String, _ record: String, receivedAt: Int64 = 1_700_000_000_000) throws -> [ConvertedData] {
        let configuration = try parse(#"{"host": "h", "mapping": [{"url": "u", "converter": \#(converterJSON)}]}"#)
        let json = try JSONValue.parse(record)
        return try configuration.mappings[0].converter.convert(
            RequestRecord(url: "http://h/u", json: json, body: Array(record.utf8), receivedAt: receivedAt))
    }

    /// The reference request.json's first mapping on what its device would answer.
    @Test func referenceJSONMapping() throws {
        let mapping = try #require(try referenceConfig("request.json")["mapping"]?.arrayValue?.first?["converter"])
        let converted = try convert(mapping.jsonString, #"{"serial": "SN-001", "Developer": "Alice", "hum": 41}"#)
        #expect(converted == [ConvertedData(
            deviceName: "SD8500", deviceType: "SD",
            telemetry: [TelemetryEntry(ts: 1_700_000_000_000, values: ["Maintainer": "Alice", "combine": "Alice:41"])],
            attributes: ["serialNumber": "SN-001"])])
    }

    @Test func deviceNameFromTheRecordAndTimestampField() throws {
        let converted = try convert("""
            {"deviceNameJsonExpression": "${vendor}-${id}", "deviceTypeJsonExpression": "${kind}",
             "timeseries": [{"key": "t", "type": "double", "value": "${temp}"}], "attributes": "*"}
            """, #"{"vendor": "ACME", "id": 7, "kind": "meter", "temp": "21", "ts": 1600000000000}"#)
        #expect(converted.first?.deviceName == "ACME-7")
        #expect(converted.first?.deviceType == "meter")
        #expect(converted.first?.telemetry == [TelemetryEntry(ts: 1_600_000_000_000, values: ["t": 21.0])])
        #expect(converted.first?.attributes["vendor"] == "ACME")
    }

    @Test func deviceInfoForm() throws {
        let converted = try convert("""
            {"deviceInfo": {"deviceNameExpressionSource": "request", "deviceNameExpression": "${name}",
                            "deviceProfileExpressionSource": "constant", "deviceProfileExpression": "${not evaluated}"},
             "telemetry": [{"key": "v", "type": "int", "value": "${v}"}]}
            """, #"{"name": "N1", "v": 3.7}"#)
        #expect(converted.first?.deviceName == "N1")
        #expect(converted.first?.deviceType == "${not evaluated}")
        #expect(converted.first?.telemetry.first?.values == ["v": 3])
    }

    @Test func nothingResolvedGivesNothing() throws {
        let converted = try convert(#"{"deviceNameJsonExpression": "D", "telemetry": [{"key": "v", "value": "${missing}"}]}"#,
                                    #"{"other": 1}"#)
        #expect(converted.isEmpty)
    }

    @Test func jsonConverterRefusesNonJSON() throws {
        let configuration = try parse(#"{"host": "h", "mapping": [{"url": "u", "converter": {"deviceNameJsonExpression": "D"}}]}"#)
        #expect(throws: (any Error).self) {
            try configuration.mappings[0].converter.convert(RequestRecord(url: "u", json: nil, body: Array("x".utf8), receivedAt: 0))
        }
    }

    /// The reference's CustomRequestUplinkConverter example configuration on a known frame:
    /// 41C80000 = 25.0 (float), 0096 = 150 × 0.01, FF38 = -200 × 0.01, 03E8 = 1000 × 0.01,
    /// byte 15 = 0xB3 = 1011 0011 (bits 4-8 = 11, bit 1 = 1, bit 0 = 1).
    @Test func builtInHexConverterOnTheReferenceConfig() throws {
        let mapping = try #require(try referenceConfig("request.json")["mapping"]?.arrayValue?[1]["converter"])
        let converted = try convert(mapping.jsonString, #"{"data": {"value": "41C8000000960000FF38000003E800B3"}}"#)
        let values = try #require(converted.first?.telemetry.first?.values)
        #expect(converted.first?.deviceName == "SD8500")
        #expect(values["Totaliser"] == 25.0)
        #expect(values["Flow"] == 1.5)
        #expect(values["Temperature"] == -2.0)
        #expect(values["Pressure"] == 10.0)
        #expect(values["deviceStatus"] == 11)
        #expect(values["OUT2"] == 1)
        #expect(values["OUT1"] == 1)
    }

    @Test func hexFieldReading() {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x01, 0x80]
        #expect(HexFieldsRequestConverter.read(.integer(from: 0, to: 2, littleEndian: false, signed: true), in: bytes) == -2)
        #expect(HexFieldsRequestConverter.read(.integer(from: 0, to: 2, littleEndian: false, signed: false), in: bytes) == 65534)
        #expect(HexFieldsRequestConverter.read(.integer(from: 0, to: 2, littleEndian: true, signed: false), in: bytes) == 65279)
        #expect(HexFieldsRequestConverter.read(.integer(from: 2, to: 5, littleEndian: false, signed: false), in: bytes) == nil)
        let ones = [UInt8](repeating: 0xFF, count: 8)
        #expect(HexFieldsRequestConverter.read(.integer(from: 0, to: 8, littleEndian: false, signed: false), in: ones) == .uint(.max))
        #expect(HexFieldsRequestConverter.read(.integer(from: 0, to: 8, littleEndian: false, signed: true), in: ones) == -1)
        #expect(HexFieldsRequestConverter.multiply(.uint(.max), by: .int(1)) == .uint(.max))
        #expect(HexFieldsRequestConverter.multiply(.int(5_000_000_000_000_000_000), by: .int(3)) == .uint(15_000_000_000_000_000_000))
        #expect(HexFieldsRequestConverter.multiply(.uint(.max), by: .int(2)) == .double(3.6893488147419103e19))
        #expect(HexFieldsRequestConverter.read(.bits(byte: 3, from: 7, to: 8, reversed: false), in: bytes) == 1)
        #expect(HexFieldsRequestConverter.read(.bits(byte: 3, from: 0, to: 1, reversed: true), in: bytes) == 1)
        #expect(HexFieldsRequestConverter.multiply(.int(5), by: .int(3)) == .int(15))
        #expect(HexFieldsRequestConverter.multiply(.int(150), by: .double(0.01)) == .double(1.5))
        #expect(HexFieldsRequestConverter.hexBytes("0a FF") == [0x0A, 0xFF])
        #expect(HexFieldsRequestConverter.hexBytes("0g") == nil)
    }
}
