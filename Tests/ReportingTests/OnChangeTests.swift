import GatewayKit
import Testing
@testable import Reporting

@Suite("ON_CHANGE")
struct OnChangeTests {
    @Test("Forwards the first value and every value that differs from the last forwarded one")
    func firstAndChanges() {
        var filter = ReportFilter(gatewayDefault: .onChange)
        let sent = [1, 1, 2, 2, 2, 1].enumerated().map { now, value in
            filter.forwardedTelemetry(telemetry(["t": .int(Int64(value))]), now: Int64(now))
        }
        #expect(sent == [["t": 1], nil, ["t": 2], nil, nil, ["t": 1]])
        #expect(filter.nextDeadline() == nil)
    }

    @Test("Doubles closer than 0.001 are the same; the comparison is with the last forwarded value, so drift is sent")
    func floatTolerance() {
        var filter = ReportFilter(gatewayDefault: .onChange)
        let readings: [Double] = [20.0, 20.0004, 20.0008, 20.0012, 20.0015, 19.9]
        let sent = readings.enumerated().map { now, value in
            filter.forwardedTelemetry(telemetry(["t": .double(value)]), now: Int64(now))
        }
        #expect(sent == [["t": 20.0], nil, nil, ["t": 20.0012], nil, ["t": 19.9]])
    }

    @Test("NaN is always a change, as in the reference")
    func notANumber() {
        var filter = ReportFilter(gatewayDefault: .onChange)
        #expect(filter.forwardedTelemetry(telemetry(["t": .double(.nan)]), now: 0) != nil)
        #expect(filter.forwardedTelemetry(telemetry(["t": .double(.nan)]), now: 1) != nil)
    }

    @Test("Value comparison follows Python equality, except that booleans are not numbers")
    func equalityRules() {
        #expect(!ValueChange.isChange(from: .int(1), to: .double(1.0)))
        #expect(ValueChange.isChange(from: .int(1), to: .double(1.0005)))  // tolerance only between doubles
        #expect(!ValueChange.isChange(from: .double(3.0), to: .int(3)))
        #expect(ValueChange.isChange(from: .int(Int64.max), to: .double(9.223372036854775807e18)))
        // Integers above Int64 (64-bit EUIs, counters) compare by every digit.
        #expect(!ValueChange.isChange(from: .uint(.max), to: .uint(.max)))
        #expect(ValueChange.isChange(from: .uint(.max), to: .uint(.max - 1)))
        #expect(!ValueChange.isChange(from: .uint(1 << 63), to: .double(9.223372036854775808e18)))
        #expect(ValueChange.isChange(from: .uint(.max), to: .double(1.8446744073709552e19)))
        #expect(ValueChange.isChange(from: .bool(true), to: .int(1)))
        #expect(ValueChange.isChange(from: .string("1"), to: .int(1)))
        #expect(!ValueChange.isChange(from: .string("on"), to: .string("on")))
        #expect(ValueChange.isChange(from: .null, to: .int(0)))
        #expect(!ValueChange.isChange(from: .null, to: .null))
        #expect(!ValueChange.isChange(from: ["a": 1, "b": [1, 2.0]], to: ["b": [1.0, 2], "a": 1.0]))
        #expect(ValueChange.isChange(from: ["a": 1.0], to: ["a": 1.0001]))  // nested doubles compare exactly
        #expect(ValueChange.isChange(from: ["a": 1], to: ["a": 1, "b": 2]))
        #expect(ValueChange.isChange(from: [1, 2], to: [2, 1]))
    }

    @Test("Attributes are filtered too, separately from a telemetry key of the same name")
    func attributesSeparateFromTelemetry() {
        var filter = ReportFilter(gatewayDefault: .onChange)
        #expect(filter.admit(attributes(["fw": "1.0"]), from: "mqtt", now: 0) == attributes(["fw": "1.0"]))
        #expect(filter.admit(attributes(["fw": "1.0"]), from: "mqtt", now: 1) == nil)
        // Same key name as telemetry: a first value of its own.
        #expect(filter.forwardedTelemetry(telemetry(["fw": "1.0"]), now: 2) == ["fw": "1.0"])
        #expect(filter.admit(attributes(["fw": "1.1"]), from: "mqtt", now: 3) == attributes(["fw": "1.1"]))
        #expect(filter.cachedKeyCount == 2)
    }

    @Test("Devices and connectors have separate caches")
    func cacheIdentity() {
        var filter = ReportFilter(gatewayDefault: .onChange)
        #expect(filter.forwardedTelemetry(telemetry(["t": 1], device: "A"), from: "c1", now: 0) != nil)
        #expect(filter.forwardedTelemetry(telemetry(["t": 1], device: "B"), from: "c1", now: 0) != nil)
        #expect(filter.forwardedTelemetry(telemetry(["t": 1], device: "A"), from: "c2", now: 0) != nil)
        #expect(filter.forwardedTelemetry(telemetry(["t": 1], device: "A"), from: "c1", now: 1) == nil)
        #expect(filter.cachedKeyCount == 3)
    }
}
