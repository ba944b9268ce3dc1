import GatewayKit
import Testing
@testable import SocketConnector

@Suite struct ConverterTests {
    func referenceDevice() throws -> SocketDeviceConfiguration {
        try #require(try Fixtures.parse(Fixtures.referenceSocketJSON).devices.first)
    }

    /// The reference sends every value as text: b"21.5" → temp "21.5", hum "21", num ".5".
    @Test func byteRangesBecomeTextValues() throws {
        let converter = SocketUplinkConverter(device: try referenceDevice())
        let data = converter.convert(Array("21.5".utf8))
        #expect(data.deviceName == "Device Example" && data.deviceType == "default")
        #expect(data.telemetry.map(\.values) == [["temp": "21.5", "hum": "21"]])
        #expect(data.attributes == ["name": "21.5", "num": ".5"])
    }

    @Test func rangesBeyondTheMessageAreEmptyText() throws {
        let converter = SocketUplinkConverter(device: try referenceDevice())
        let data = converter.convert(Array("7".utf8))
        #expect(data.telemetry.map(\.values) == [["temp": "7", "hum": "7"]])
        #expect(data.attributes == ["name": "7", "num": ""])
    }

    @Test func nulBytesAreDroppedAndUndecodableBytesWrittenAsPythonDoes() throws {
        let converter = SocketUplinkConverter(device: try referenceDevice())
        #expect(converter.convert([0x34, 0x00, 0x32]).telemetry.first?.values["temp"] == "42")
        #expect(converter.convert([0xFF, 0x41]).telemetry.first?.values["temp"] == #"b'\xffA'"#)
    }

    @Test func hexAndUTF16Devices() {
        let points = [SocketDatapoint(key: "all", byteFrom: 0, byteTo: nil), SocketDatapoint(key: "tail", byteFrom: -2, byteTo: nil)]
        let hex = SocketUplinkConverter(device: SocketDeviceConfiguration(addressFilter: .init("*:*"), deviceName: "H",
                                                                         encoding: .hex, telemetry: points))
        #expect(hex.convert([0x00, 0x1F, 0xAB]).telemetry.first?.values == ["all": "001fab", "tail": "1fab"])
        let utf16 = SocketUplinkConverter(device: SocketDeviceConfiguration(addressFilter: .init("*:*"), deviceName: "U",
                                                                           encoding: .utf16LE, telemetry: points))
        #expect(utf16.convert([0x41, 0x00, 0xA9, 0x03]).telemetry.first?.values == ["all": "AΩ", "tail": "Ω"])
    }

    @Test func reportStrategiesAreCarried() throws {
        let configuration = try Fixtures.parse("""
            {"socket": {}, "reportStrategy": {"type": "ON_CHANGE"}, "devices": [{"address": "*:*", "deviceName": "D",
              "reportStrategy": {"type": "ON_REPORT_PERIOD", "reportPeriod": 500},
              "telemetry": [{"key": "t", "byteFrom": 0, "byteTo": -1, "reportStrategy": {"type": "ON_RECEIVED"}}]}]}
            """)
        #expect(configuration.reportStrategy?.kind == .onChange)
        let data = SocketUplinkConverter(device: configuration.devices[0]).convert(Array("1".utf8))
        #expect(data.reportStrategy == ReportStrategy(kind: .onReportPeriod, reportPeriodMs: 500))
        #expect(data.keyReportStrategies == ["t": .onReceived])
    }
}

@Suite struct AttributeRequestRuleTests {
    @Test func referenceExpressionMatchesThePrefix() throws {
        let rule = try SocketAttributeRequestRule(scope: .shared, requestExpression: "${[0:3]==atr}", attributeNameExpression: "[3:]")
        #expect(rule.matches(Array("atrsharedName".utf8)))
        #expect(!rule.matches(Array("at".utf8)))
        #expect(!rule.matches(Array("21.5".utf8)))
        #expect(rule.attributeNames(in: Array("atrsharedName\n".utf8)) == ["sharedName"])
    }

    @Test func indexesWholeMessagesAndSeveralNames() throws {
        let index = try SocketAttributeRequestRule(scope: .client, requestExpression: "${[0]==?}", attributeNameExpression: "[1:3][3:]")
        #expect(index.matches(Array("?abcd".utf8)))
        #expect(index.attributeNames(in: Array("?abcd".utf8)) == ["ab", "cd"])
        let whole = try SocketAttributeRequestRule(scope: .shared, requestExpression: "firmware?", attributeNameExpression: "firmware")
        #expect(whole.matches(Array("firmware?".utf8)))
        #expect(!whole.matches(Array("firmware?x".utf8)))
        #expect(whole.attributeNames(in: []) == ["firmware"])
        let outOfRange = try SocketAttributeRequestRule(scope: .shared, requestExpression: "${[0:1]==a}", attributeNameExpression: "[9]")
        #expect(outOfRange.attributeNames(in: Array("ab".utf8)) == nil)
    }

    @Test func unusableExpressionsAreRefused() {
        #expect(throws: SocketAttributeRequestRule.InvalidExpression.self) {
            try SocketAttributeRequestRule(scope: .shared, requestExpression: "${atr}", attributeNameExpression: "[3:]")
        }
        #expect(throws: SocketAttributeRequestRule.InvalidExpression.self) {
            try SocketAttributeRequestRule(scope: .shared, requestExpression: "${==atr}", attributeNameExpression: "[3:]")
        }
        #expect(throws: SocketAttributeRequestRule.InvalidExpression.self) {
            try SocketAttributeRequestRule(scope: .shared, requestExpression: "${[0:3]==atr}", attributeNameExpression: "")
        }
    }
}
