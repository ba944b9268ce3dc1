import GatewayKit
import Testing
@testable import Reporting

@Suite("Messages with several entries and mixed strategies")
struct MixedMessageTests {
    @Test("Each telemetry entry of a batch is filtered in order; emptied entries disappear, ts are kept")
    func batchInOrder() {
        var filter = ReportFilter(gatewayDefault: .onChange)
        let batch = ConvertedData(deviceName: "Dev A", deviceType: "meter", telemetry: [
            TelemetryEntry(ts: 1, values: ["t": 1, "h": 50]),
            TelemetryEntry(ts: 2, values: ["t": 1, "h": 50]),
            TelemetryEntry(ts: 3, values: ["t": 2, "h": 50]),
            TelemetryEntry(ts: 4, values: ["h": 51, "t": 2]),
        ])
        let expected = ConvertedData(deviceName: "Dev A", deviceType: "meter", telemetry: [
            TelemetryEntry(ts: 1, values: ["t": 1, "h": 50]),
            TelemetryEntry(ts: 3, values: ["t": 2]),
            TelemetryEntry(ts: 4, values: ["h": 51]),
        ])
        #expect(filter.admit(batch, from: "mqtt", now: 0) == expected)
    }

    @Test("Keys with different strategies in one message are each handled by their own")
    func mixedStrategies() {
        var filter = ReportFilter(gatewayDefault: nil)
        let keys: [String: ReportStrategy] = ["state": .onChange, "temp": .period(1000), "fw": .onChange]
        func message(_ state: JSONValue, _ temp: JSONValue, _ raw: JSONValue, fw: JSONValue) -> ConvertedData {
            ConvertedData(deviceName: "Dev A", deviceType: "sensor",
                          telemetry: [TelemetryEntry(values: ["state": state, "temp": temp, "raw": raw])],
                          attributes: ["fw": fw, "ip": "10.0.0.1"], keyReportStrategies: keys)
        }
        let first = message("on", 20, 1, fw: "1.0")
        #expect(filter.admit(first, from: "mqtt", now: 0) == first)
        var second = filter.admit(message("on", 21, 2, fw: "1.0"), from: "mqtt", now: 100)
        #expect(second == ConvertedData(deviceName: "Dev A", deviceType: "sensor",
                                        telemetry: [TelemetryEntry(values: ["raw": 2])], attributes: ["ip": "10.0.0.1"],
                                        keyReportStrategies: keys))
        second = filter.admit(message("off", 22, 3, fw: "1.0"), from: "mqtt", now: 200)
        #expect(second?.telemetry == [TelemetryEntry(values: ["state": "off", "raw": 3])])
        #expect(filter.reports(now: 1000) == [report(type: "sensor", ts: 1000, telemetry: ["temp": 22])])
        // Only the non-pass-through datapoints are cached.
        #expect(filter.cachedKeyCount == 3)
    }

    @Test("A message whose every datapoint is held back gives nil")
    func allHeld() {
        var filter = ReportFilter(gatewayDefault: .onChange)
        let data = ConvertedData(deviceName: "Dev A", telemetry: [TelemetryEntry(values: ["t": 1])], attributes: ["a": 1])
        _ = filter.admit(data, from: "mqtt", now: 0)
        #expect(filter.admit(data, from: "mqtt", now: 1) == nil)
    }
}
