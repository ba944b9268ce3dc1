import Synchronization
import GatewayKit
import Logging
import NIOCore
import Testing
@testable import MQTTConnector

/// The custom converter example of README.md, verbatim, so the documentation keeps compiling.
struct PackedSensorConverter: MQTTUplinkConverter {
    let deviceType: String

    init(_ setup: MQTTCustomConverterSetup) throws {
        deviceType = setup.extensionConfig?["deviceType"]?.stringValue ?? "default"
    }

    func convert(_ message: MQTTUplinkMessage) throws(MQTTConversionError) -> [ConvertedData] {
        let bytes = message.payloadBytes
        guard bytes.count >= 3 else { throw MQTTConversionError("expected 3 bytes, got \(bytes.count)") }
        let name = String(message.topic.split(separator: "/").last ?? "unknown")
        let temperature = Double(Int16(bitPattern: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))) / 10
        return [ConvertedData(deviceName: name, deviceType: deviceType,
                              telemetry: [TelemetryEntry(ts: message.receivedAt,
                                                         values: ["temperature": .double(temperature),
                                                                  "battery": .int(Int64(bytes[2]))])])]
    }
}

@Suite struct CustomConverterExampleTests {
    @Test func theReadmeExampleConverts() throws {
        MQTTCustomConverters.register("PackedSensorConverter") { setup in try PackedSensorConverter(setup) }
        defer { MQTTCustomConverters.unregister("PackedSensorConverter") }
        let mapping = """
            {"topicFilter": "custom/sensors/+",
             "converter": {"type": "custom", "extension": "PackedSensorConverter", "extensionConfig": {"deviceType": "Packed"},
                           "reportStrategy": {"type": "ON_CHANGE"}}}
            """
        let route = try router(config(mappings: [mapping]))
        let good = route.route(MQTTUplinkMessage(topic: "custom/sensors/p1", payload: ByteBuffer(bytes: [0x00, 0xFB, 87]),
                                                 receivedAt: receivedAt))
        #expect(good.data == [ConvertedData(
            deviceName: "p1", deviceType: "Packed",
            telemetry: [TelemetryEntry(ts: receivedAt, values: ["temperature": 25.1, "battery": 87])],
            reportStrategy: ReportStrategy(kind: .onChange))])
        let short = route.route(MQTTUplinkMessage(topic: "custom/sensors/p1", payload: ByteBuffer(bytes: [1]),
                                                  receivedAt: receivedAt))
        #expect(short.data.isEmpty)
        #expect(short.problems == ["expected 3 bytes, got 1"])
    }

    @Test func sharedConvertersAreMadeOnce() throws {
        let made = Counter()
        MQTTCustomConverters.register("CountingConverter") { _ in
            made.increment()
            return FixedConverter(scale: 1)
        }
        defer { MQTTCustomConverters.unregister("CountingConverter") }
        let shared = #"{"topicFilter": "a/+", "converter": {"type": "custom", "extension": "CountingConverter", "sharedGlobal": true}}"#
        let alsoShared = #"{"topicFilter": "b/+", "converter": {"type": "custom", "extension": "CountingConverter", "sharedGlobal": true}}"#
        let own = #"{"topicFilter": "c/+", "converter": {"type": "custom", "extension": "CountingConverter"}}"#
        let route = try router(config(mappings: [shared, alsoShared, own]))
        #expect(route.routes.count == 3)
        #expect(made.value == 2)
    }

    @Test func aFactoryErrorIsAConfigErrorNamingTheConverter() throws {
        struct Refused: Error {}
        MQTTCustomConverters.register("RefusingConverter") { _ in throw Refused() }
        defer { MQTTCustomConverters.unregister("RefusingConverter") }
        let mapping = #"{"topicFilter": "a", "converter": {"type": "custom", "extension": "RefusingConverter"}}"#
        #expect { try router(config(mappings: [mapping])) } throws: { error in
            (error as? ConfigError)?.keyPath == "mapping[0].converter"
        }
    }

    @Test func burstLimiterLogsOncePerWindow() {
        var limiter = BurstLimiter(window: .seconds(10))
        let start = ContinuousClock.now
        #expect(limiter.shouldLog(now: start) == 0)
        #expect(limiter.shouldLog(now: start + .seconds(1)) == nil)
        #expect(limiter.shouldLog(now: start + .seconds(2)) == nil)
        #expect(limiter.shouldLog(now: start + .seconds(11)) == 2)
        #expect(limiter.shouldLog(now: start + .seconds(12)) == nil)
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
