import GatewayKit
import OPCUA
import Testing
@testable import OPCUAConnector

@Suite("OPC-UA value conversion")
struct ValueConversionTests {
    static let node = NodeId.numeric(5, namespace: 2)

    /// 2024-05-01T12:30:00.25Z as OPC-UA ticks (100 ns since 1601).
    static let may1st = OPCUADateTime(unixMilliseconds: 1_714_566_600_250)

    @Test("scalars convert as the reference's converter reports them", arguments: [
        (Variant.boolean(true), JSONValue.bool(true)),
        (.sbyte(-5), .int(-5)),
        (.byte(200), .int(200)),
        (.int16(-300), .int(-300)),
        (.uint16(65535), .int(65535)),
        (.int32(-42), .int(-42)),
        (.uint32(4_000_000_000), .int(4_000_000_000)),
        (.int64(-9_000_000_000), .int(-9_000_000_000)),
        (.uint64(UInt64.max), .uint(UInt64.max)),
        (.uint64(UInt64(Int64.max)), .int(Int64.max)),
        (.float(1.5), .double(1.5)),
        (.double(1013.25), .double(1013.25)),
        (.string("SomeText"), .string("SomeText")),
        (.string(nil), .null),
        (.dateTime(ValueConversionTests.may1st), .string("2024-05-01T12:30:00.250000+00:00")),
        (.dateTime(OPCUADateTime(unixMilliseconds: 0)), .string("1970-01-01T00:00:00+00:00")),
        (.byteString([0x01, 0xAB, 0xFF]), .string("01abff")),
        (.guid(Guid("72962B91-FA75-4AE6-8D28-B404DC7DAF63")!), .string("72962b91-fa75-4ae6-8d28-b404dc7daf63")),
        (.nodeId(.numeric(85)), .string("i=85")),
        (.nodeId(.string("Boiler1", namespace: 2)), .string("ns=2;s=Boiler1")),
        (.expandedNodeId(ExpandedNodeId(nodeId: .numeric(5, namespace: 1), namespaceURI: "urn:x", serverIndex: 2)),
         .string("ns=1;i=5;srv=2;nsu=urn:x")),
        (.qualifiedName(QualifiedName(namespace: 2, name: "Name")), .string("2:Name")),
        (.qualifiedName(QualifiedName(namespace: 0, name: "Objects")), .string("0:Objects")),
        (.localizedText(LocalizedText(locale: "en", text: "Hello")), .string("Hello")),
        (.statusCode(.good), .string("Good")),
        (.xmlElement("<a/>"), .string("<a/>")),
    ])
    func scalars(variant: Variant, expected: JSONValue) {
        #expect(OPCUAValueConverter.json(variant) == expected)
    }

    @Test("arrays become lists of the elements' text (Python str)")
    func arrays() {
        #expect(OPCUAValueConverter.json(.array([.int32(1), .int32(2), .int32(3)], of: .int32)) == ["1", "2", "3"])
        #expect(OPCUAValueConverter.json(.array([.boolean(true), .boolean(false)], of: .boolean)) == ["True", "False"])
        #expect(OPCUAValueConverter.json(.array([.double(1.5), .double(2)], of: .double)) == ["1.5", "2.0"])
        #expect(OPCUAValueConverter.json(.array([.string("a")], of: .string)) == ["a"])
        #expect(OPCUAValueConverter.json(.array([], of: .double)) == [])
    }

    @Test("NaN and infinity are sent as Python prints them")
    func nonFinite() {
        #expect(OPCUAValueConverter.json(.double(.nan)) == "nan")
        #expect(OPCUAValueConverter.json(.float(-.infinity)) == "-inf")
    }

    @Test("a bad status without a value becomes the error text; a null value is not reported")
    func statuses() {
        let bad = DataValue(status: StatusCode(0x8034_0000))
        let text = OPCUAValueConverter.json(bad, node: Self.node)
        #expect(text == .string("Bad status code: BadNodeIdUnknown for node: ns=2;i=5 with description BadNodeIdUnknown (0x80340000)"))
        #expect(OPCUAValueConverter.json(DataValue(value: .null), node: Self.node) == nil)
        #expect(OPCUAValueConverter.json(DataValue(), node: Self.node) == nil)
        // Uncertain with a value: the value is reported.
        #expect(OPCUAValueConverter.json(DataValue(value: .double(1), status: StatusCode(0x4000_0000)), node: Self.node) == .double(1))
    }

    @Test("timestampLocation picks gateway, source or server time")
    func timestamps() {
        let value = DataValue(value: .double(1), sourceTimestamp: OPCUADateTime(unixMilliseconds: 1_000),
                              serverTimestamp: OPCUADateTime(unixMilliseconds: 2_000))
        #expect(OPCUAUplinkConverter.timestamp(of: value, location: .gateway, receivedAt: 5_000) == 5_000)
        #expect(OPCUAUplinkConverter.timestamp(of: value, location: .sourceTimestamp, receivedAt: 5_000) == 1_000)
        #expect(OPCUAUplinkConverter.timestamp(of: value, location: .serverTimestamp, receivedAt: 5_000) == 2_000)
        // Missing timestamps fall back to the gateway's time.
        #expect(OPCUAUplinkConverter.timestamp(of: DataValue(value: .double(1)), location: .sourceTimestamp, receivedAt: 5_000) == 5_000)
    }

    @Test("a device's readings: attributes, telemetry grouped by time, report strategies, no overwrites")
    func deviceReadings() {
        let converter = OPCUAUplinkConverter(deviceName: "Temp Sensor", deviceType: "thermo",
                                             reportStrategy: ReportStrategy(kind: .onChange))
        let pressure = OPCUABoundDatapoint(key: "Pressure", section: .timeseries, node: .numeric(2, namespace: 3))
        let alarm = OPCUABoundDatapoint(key: "Alarm", section: .timeseries, node: .numeric(4, namespace: 3),
                                        reportStrategy: ReportStrategy(kind: .onReceived))
        let model = OPCUABoundDatapoint(key: "model", section: .attributes, node: .numeric(5, namespace: 3))
        let sourced = OPCUABoundDatapoint(key: "Source", section: .timeseries, node: .numeric(6, namespace: 3),
                                          timestampLocation: .sourceTimestamp)
        let data = converter.convert([
            .init(datapoint: pressure, value: DataValue(value: .double(1013.25)), receivedAt: 100),
            .init(datapoint: alarm, value: DataValue(value: .boolean(true)), receivedAt: 100),
            .init(datapoint: model, value: DataValue(value: .string("X")), receivedAt: 100),
            .init(datapoint: pressure, value: DataValue(value: .double(1014)), receivedAt: 100),
            .init(datapoint: sourced, value: DataValue(value: .int32(7), sourceTimestamp: OPCUADateTime(unixMilliseconds: 50)),
                  receivedAt: 100),
            .init(datapoint: model, value: DataValue(), receivedAt: 100),
        ])
        #expect(data.deviceName == "Temp Sensor" && data.deviceType == "thermo")
        #expect(data.reportStrategy == ReportStrategy(kind: .onChange))
        #expect(data.keyReportStrategies == ["Alarm": ReportStrategy(kind: .onReceived)])
        #expect(data.attributes == ["model": "X"])
        #expect(data.telemetry == [
            TelemetryEntry(ts: 100, values: ["Pressure": 1013.25, "Alarm": true]),
            TelemetryEntry(ts: 101, values: ["Pressure": 1014.0]),
            TelemetryEntry(ts: 50, values: ["Source": 7]),
        ])
    }

    @Test("constants are reported with the device")
    func constants() {
        let converter = OPCUAUplinkConverter(deviceName: "D", deviceType: "default")
        let data = converter.convertConstants([
            (.attributes, OPCUADatapoint(key: "model", source: .constant("X-100"))),
            (.timeseries, OPCUADatapoint(key: "line", source: .constant(3))),
        ], receivedAt: 7)
        #expect(data.attributes == ["model": "X-100"])
        #expect(data.telemetry == [TelemetryEntry(ts: 7, values: ["line": 3])])
    }
}

@Suite("OPC-UA write values")
struct VariantCoercionTests {
    @Test("ThingsBoard values become the node's type", arguments: [
        (JSONValue.string("965.25"), OPCUABuiltInType.double, Variant.double(965.25)),
        (.int(5), .double, .double(5)),
        (.string("false"), .boolean, .boolean(false)),
        (.string("true"), .boolean, .boolean(true)),
        (.bool(true), .boolean, .boolean(true)),
        (.string("42"), .int32, .int32(42)),
        (.double(42), .uint16, .uint16(42)),
        (.string("1.5"), .float, .float(1.5)),
        (.string("OK"), .string, .string("OK")),
        (.int(12), .string, .string("12")),
        (.string("ns=2;i=5"), .nodeId, .nodeId(.numeric(5, namespace: 2))),
        (.string("01abff"), .byteString, .byteString([0x01, 0xAB, 0xFF])),
        (.string("2:Name"), .qualifiedName, .qualifiedName(QualifiedName(namespace: 2, name: "Name"))),
        (.string("Hi"), .localizedText, .localizedText(LocalizedText(text: "Hi"))),
        (.int(1_714_566_600_250), .dateTime, .dateTime(OPCUADateTime(unixMilliseconds: 1_714_566_600_250))),
        (.uint(.max), .uint64, .uint64(.max)),
        (.string("18446744073709551615"), .uint64, .uint64(.max)),
        (.uint(.max), .string, .string("18446744073709551615")),
    ])
    func coerce(value: JSONValue, type: OPCUABuiltInType, expected: Variant) throws {
        #expect(try OPCUAVariantCoercion.variant(value, as: type) == expected)
    }

    @Test("arrays, and lists sent as text")
    func arrays() throws {
        #expect(try OPCUAVariantCoercion.variant([1, 2], as: .int32, asArray: true) == .array([.int32(1), .int32(2)], of: .int32))
        #expect(try OPCUAVariantCoercion.variant("[1, 2]", as: .int32, asArray: true) == .array([.int32(1), .int32(2)], of: .int32))
    }

    @Test("values the type cannot hold are refused with a message", arguments: [
        (JSONValue.string("wet"), OPCUABuiltInType.double),
        (.int(300), .byte),
        (.double(1.5), .int32),
        (.string("maybe"), .boolean),
        (.string("xyz"), .byteString),
        (.uint(.max), .int64),
    ])
    func refused(value: JSONValue, type: OPCUABuiltInType) {
        #expect(throws: OPCUAVariantCoercion.Failure.self) { try OPCUAVariantCoercion.variant(value, as: type) }
    }

    @Test("without a known type the reference's guess is used")
    func guessed() {
        #expect(OPCUAVariantCoercion.guessed("true") == .boolean(true))
        #expect(OPCUAVariantCoercion.guessed("90.25") == .double(90.25))
        #expect(OPCUAVariantCoercion.guessed("12") == .int64(12))
        #expect(OPCUAVariantCoercion.guessed("OK") == .string("OK"))
        #expect(OPCUAVariantCoercion.guessed(7) == .int64(7))
        #expect(OPCUAVariantCoercion.guessed(.uint(.max)) == .uint64(.max))
        #expect(OPCUAVariantCoercion.guessed("18446744073709551615") == .uint64(.max))
    }

    @Test("configured method argument types")
    func argumentTypes() throws {
        #expect(try OPCUAVariantCoercion.argument(2, typeName: "integer") == .int64(2))
        // An integer argument above Int64 (a legacy rpc_methods value) fits only a UInt64.
        #expect(try OPCUAVariantCoercion.argument(.uint(.max), typeName: "integer") == .uint64(.max))
        #expect(try OPCUAVariantCoercion.argument(2, typeName: "double") == .double(2))
        #expect(try OPCUAVariantCoercion.argument("x", typeName: "string") == .string("x"))
        #expect(try OPCUAVariantCoercion.argument("true", typeName: "boolean") == .boolean(true))
    }
}
