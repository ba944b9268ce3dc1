import GatewayKit
import Testing
@testable import Reporting

@Suite("ON_RECEIVED / DISABLED pass everything through")
struct PassThroughTests {
    @Test("With no strategy anywhere the input comes back untouched and nothing is cached")
    func untouchedFastPath() {
        var filter = ReportFilter(gatewayDefault: nil)
        let data = ConvertedData(deviceName: "Dev A", deviceType: "thermometer",
                                 telemetry: [TelemetryEntry(ts: 5, values: ["t": 1]), TelemetryEntry(values: ["t": 1])],
                                 attributes: ["fw": "1.0"])
        for now in Int64(0)..<3 {
            #expect(filter.admit(data, from: "mqtt", now: now) == data)
        }
        #expect(filter.cachedKeyCount == 0)
        #expect(filter.nextDeadline() == nil)
        #expect(filter.due(now: 100_000).isEmpty)
    }

    @Test("Explicit ON_RECEIVED and DISABLED at every level are the fast path too")
    func explicitPassThroughLevels() {
        var filter = ReportFilter(gatewayDefault: .onReceived)
        filter.setConnectorDefault(ReportStrategy(kind: .disabled), for: "mqtt")
        let data = telemetry(["t": 1], strategy: .onReceived,
                             keys: ["t": ReportStrategy(kind: .disabled), "h": .onReceived])
        #expect(filter.admit(data, from: "mqtt", now: 0) == data)
        #expect(filter.admit(data, from: "mqtt", now: 1) == data)
        #expect(filter.cachedKeyCount == 0)
    }

    @Test("Main DISABLED switches the filter off, lower levels included (as the reference)")
    func gatewayDisabledOverridesEverything() {
        var filter = ReportFilter(gatewayDefault: ReportStrategy(kind: .disabled))
        filter.setConnectorDefault(.onChange, for: "mqtt")
        let data = telemetry(["t": 1], strategy: .period(1000), keys: ["t": .onChange])
        #expect(filter.admit(data, from: "mqtt", now: 0) == data)
        #expect(filter.admit(data, from: "mqtt", now: 1) == data)
        #expect(filter.nextDeadline() == nil)
        #expect(filter.cachedKeyCount == 0)
    }

    @Test("DISABLED below the main section means ON_RECEIVED (the reference would send only the first value)")
    func disabledAtKeyLevel() {
        var filter = ReportFilter(gatewayDefault: .onChange)
        let data = telemetry(["t": 1], keys: ["t": ReportStrategy(kind: .disabled)])
        #expect(filter.admit(data, from: "mqtt", now: 0) == data)
        #expect(filter.admit(data, from: "mqtt", now: 1) == data)
        #expect(filter.cachedKeyCount == 0)
    }

    @Test("A message without datapoints gives nil")
    func emptyInput() {
        var passThrough = ReportFilter(gatewayDefault: nil)
        #expect(passThrough.admit(ConvertedData(deviceName: "Dev A"), from: "mqtt", now: 0) == nil)
        var filtering = ReportFilter(gatewayDefault: .onChange)
        #expect(filtering.admit(ConvertedData(deviceName: "Dev A"), from: "mqtt", now: 0) == nil)
    }

    @Test("When nothing is held back under a filtering strategy the input is returned whole")
    func firstValuesReturnInput() {
        var filter = ReportFilter(gatewayDefault: .onChange)
        let data = ConvertedData(deviceName: "Dev A", deviceType: "meter",
                                 telemetry: [TelemetryEntry(ts: 7, values: ["a": 1, "b": 2])], attributes: ["fw": "1"])
        #expect(filter.admit(data, from: "mqtt", now: 0) == data)
        #expect(filter.cachedKeyCount == 3)
    }
}
