import GatewayKit
import Testing
@testable import Reporting

@Suite("TTL: datapoints that stop reporting are forgotten")
struct TTLTests {
    @Test("ON_CHANGE: after ttl seconds without a value, the next value counts as first")
    func onChangeExpiry() {
        var filter = ReportFilter(gatewayDefault: ReportStrategy(kind: .onChange, ttlSeconds: 10))
        #expect(filter.forwardedTelemetry(telemetry(["t": 1]), now: 0) != nil)
        #expect(filter.forwardedTelemetry(telemetry(["t": 1]), now: 9_999) == nil)
        // That value kept the datapoint alive: 10 s from 9 999, not from 0.
        #expect(filter.forwardedTelemetry(telemetry(["t": 1]), now: 19_998) == nil)
        #expect(filter.forwardedTelemetry(telemetry(["t": 1]), now: 29_998) == ["t": 1])
    }

    @Test("Periodic reports stop once the datapoint has had no value for ttl seconds")
    func periodicExpiry() {
        var filter = ReportFilter(gatewayDefault: .period(4_000, ttl: 10))
        _ = filter.admit(telemetry(["t": 1]), from: "mqtt", now: 0)
        #expect(filter.reports(now: 4_000).count == 1)
        #expect(filter.reports(now: 8_000).count == 1)
        #expect(filter.nextDeadline() == 12_000)
        #expect(filter.reports(now: 12_000).isEmpty)
        #expect(filter.nextDeadline() == nil)
        #expect(filter.cachedKeyCount == 0)
        #expect(filter.forwardedTelemetry(telemetry(["t": 1]), now: 13_000) == ["t": 1])
        #expect(filter.nextDeadline() == 17_000)
    }

    @Test("Expired records are swept even if their datapoint never comes back")
    func sweep() {
        var filter = ReportFilter(gatewayDefault: ReportStrategy(kind: .onChange, ttlSeconds: 1))
        for device in 0..<100 {
            _ = filter.admit(telemetry(["t": 1], device: "Dev \(device)"), from: "mqtt", now: 0)
        }
        #expect(filter.cachedKeyCount == 100)
        _ = filter.admit(telemetry(["t": 1], device: "Other"), from: "mqtt", now: ReportFilter.sweepIntervalMs)
        #expect(filter.cachedKeyCount == 1)
        // A periodic-report wake-up sweeps too.
        _ = filter.due(now: 2 * ReportFilter.sweepIntervalMs)
        #expect(filter.cachedKeyCount == 0)
    }

    @Test("ttl 0 means never forgotten, as in the reference")
    func zeroTTL() {
        var filter = ReportFilter(gatewayDefault: ReportStrategy(kind: .onChange, ttlSeconds: 0))
        _ = filter.admit(telemetry(["t": 1]), from: "mqtt", now: 0)
        #expect(filter.forwardedTelemetry(telemetry(["t": 1]), now: 1_000_000_000) == nil)
        #expect(filter.cachedKeyCount == 1)
    }
}
