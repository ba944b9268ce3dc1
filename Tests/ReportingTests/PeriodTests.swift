import GatewayKit
import Testing
@testable import Reporting

@Suite("ON_REPORT_PERIOD and ON_CHANGE_OR_REPORT_PERIOD")
struct PeriodTests {
    @Test("First value forwarded, later ones only cached; the latest is re-sent each period stamped with now")
    func reportPeriod() {
        var filter = ReportFilter(gatewayDefault: .period(1000))
        #expect(filter.forwardedTelemetry(telemetry(["t": 1], ts: 5), now: 10_000) == ["t": 1])
        #expect(filter.nextDeadline() == 11_000)
        #expect(filter.forwardedTelemetry(telemetry(["t": 2]), now: 10_100) == nil)
        #expect(filter.forwardedTelemetry(telemetry(["t": 3]), now: 10_200) == nil)
        #expect(filter.reports(now: 10_999).isEmpty)
        #expect(filter.nextDeadline() == 11_000)
        #expect(filter.reports(now: 11_000) == [report(ts: 11_000, telemetry: ["t": 3])])
        #expect(filter.nextDeadline() == 12_000)
        // Unchanged value: re-sent anyway.
        #expect(filter.reports(now: 12_000) == [report(ts: 12_000, telemetry: ["t": 3])])
    }

    @Test("Reports stay on a fixed-rate grid after a late wake-up and restart from now after a long stall")
    func fixedRateSchedule() {
        var filter = ReportFilter(gatewayDefault: .period(1000))
        _ = filter.admit(telemetry(["t": 1]), from: "mqtt", now: 0)
        #expect(filter.reports(now: 1_030) == [report(ts: 1_030, telemetry: ["t": 1])])
        #expect(filter.nextDeadline() == 2_000)
        // Asleep for several periods: one report, not a burst, and the next one a period later.
        #expect(filter.reports(now: 5_500) == [report(ts: 5_500, telemetry: ["t": 1])])
        #expect(filter.nextDeadline() == 6_500)
    }

    @Test("Periodic attributes are reported as attributes")
    func periodicAttributes() {
        var filter = ReportFilter(gatewayDefault: .period(500))
        #expect(filter.admit(attributes(["fw": "1.0"]), from: "mqtt", now: 0) == attributes(["fw": "1.0"]))
        #expect(filter.admit(attributes(["fw": "1.1"]), from: "mqtt", now: 100) == nil)
        #expect(filter.reports(now: 500) == [report(ts: 500, attributes: ["fw": "1.1"])])
    }

    @Test("One report per connector and device, with every key due, keeping the device type")
    func groupedReports() {
        var filter = ReportFilter(gatewayDefault: .period(1000))
        let first = ConvertedData(deviceName: "Boiler", deviceType: "heater",
                                  telemetry: [TelemetryEntry(values: ["t": 60, "p": 1.5])], attributes: ["mode": "eco"])
        _ = filter.admit(first, from: "modbus", now: 0)
        _ = filter.admit(telemetry(["t": 20]), from: "mqtt", now: 0)
        _ = filter.admit(telemetry(["h": 40], device: "Dev B"), from: "mqtt", now: 0)
        _ = filter.admit(telemetry(["late": 1]), from: "mqtt", now: 400)  // due later
        #expect(filter.cachedKeyCount == 6)
        #expect(filter.reports(now: 1000) == [
            report("modbus", device: "Boiler", type: "heater", ts: 1000, telemetry: ["t": 60, "p": 1.5],
                   attributes: ["mode": "eco"]),
            report("mqtt", ts: 1000, telemetry: ["t": 20]),
            report("mqtt", device: "Dev B", ts: 1000, telemetry: ["h": 40]),
        ])
        #expect(filter.nextDeadline() == 1400)
        #expect(filter.reports(now: 1400) == [report(ts: 1400, telemetry: ["late": 1])])
    }

    @Test("ON_CHANGE_OR_REPORT_PERIOD: a change is sent at once and restarts the period")
    func changeOrPeriod() {
        var filter = ReportFilter(gatewayDefault: .changeOrPeriod(1000))
        #expect(filter.forwardedTelemetry(telemetry(["t": 1.0]), now: 0) == ["t": 1.0])
        #expect(filter.forwardedTelemetry(telemetry(["t": 1.0]), now: 300) == nil)
        #expect(filter.forwardedTelemetry(telemetry(["t": 2.0], ts: 42), now: 600) == ["t": 2.0])
        #expect(filter.nextDeadline() == 1600)
        #expect(filter.reports(now: 1000).isEmpty)
        // Within tolerance: not sent, but the periodic report carries the latest reading.
        #expect(filter.forwardedTelemetry(telemetry(["t": 2.0005]), now: 1200) == nil)
        #expect(filter.reports(now: 1600) == [report(ts: 1600, telemetry: ["t": 2.0005])])
        #expect(filter.nextDeadline() == 2600)
        #expect(filter.forwardedTelemetry(telemetry(["t": 2.0011]), now: 1700) == nil)  // 0.0006 from the last sent
        #expect(filter.forwardedTelemetry(telemetry(["t": 2.0016]), now: 1800) == ["t": 2.0016])
        #expect(filter.nextDeadline() == 2800)
    }

    @Test("A forwarded telemetry value keeps its explicit ts; only periodic re-sends are restamped")
    func explicitTimestampKept() {
        var filter = ReportFilter(gatewayDefault: .changeOrPeriod(1000))
        let data = telemetry(["t": 1], ts: 1_700_000_000_000)
        #expect(filter.admit(data, from: "mqtt", now: 50) == data)
        #expect(filter.reports(now: 1050) == [report(ts: 1050, telemetry: ["t": 1])])
    }

    @Test("nextDeadline is the earliest live deadline across keys, and nil once none is left")
    func nextDeadline() {
        var filter = ReportFilter(gatewayDefault: nil)
        #expect(filter.nextDeadline() == nil)
        _ = filter.admit(telemetry(["slow": 1], keys: ["slow": .period(5000)]), from: "mqtt", now: 0)
        #expect(filter.nextDeadline() == 5000)
        _ = filter.admit(telemetry(["fast": 1], keys: ["fast": .changeOrPeriod(1000)]), from: "mqtt", now: 100)
        #expect(filter.nextDeadline() == 1100)
        // Rescheduled by a change: the old deadline must not be reported any more.
        _ = filter.admit(telemetry(["fast": 2], keys: ["fast": .changeOrPeriod(1000)]), from: "mqtt", now: 900)
        #expect(filter.nextDeadline() == 1900)
        #expect(filter.reports(now: 1100).isEmpty)
        #expect(filter.reports(now: 1900) == [report(ts: 1900, telemetry: ["fast": 2])])
        #expect(filter.nextDeadline() == 2900)
        filter.forget(connector: "mqtt")
        #expect(filter.nextDeadline() == nil)
        #expect(filter.cachedKeyCount == 0)
    }

    @Test("After due(now) the next deadline is always later than now, so a sleep-until-deadline loop cannot spin")
    func dueAlwaysAdvances() {
        var filter = ReportFilter(gatewayDefault: nil)
        for (index, period) in [Int64(1), 3, 7, 50, 1000].enumerated() {
            let key = "k\(index)"
            _ = filter.admit(telemetry([key: 1], keys: [key: .changeOrPeriod(period, ttl: 2)]), from: "mqtt",
                             now: Int64(index))
        }
        var now: Int64 = 0
        var wakeUps = 0
        while let deadline = filter.nextDeadline() {
            #expect(deadline > now)
            now = deadline
            _ = filter.due(now: now)
            wakeUps += 1
            if wakeUps > 5_000 { break }
        }
        // Every key expires after 2 s without values, which ends the schedule.
        #expect(filter.nextDeadline() == nil)
        #expect(filter.cachedKeyCount == 0)
        #expect(wakeUps < 5_000)
    }

    @Test("Frequent changes do not grow the deadline heap without bound")
    func heapStaysBounded() {
        var filter = ReportFilter(gatewayDefault: .changeOrPeriod(60_000))
        for now in Int64(0)..<10_000 {
            _ = filter.admit(telemetry(["t": .int(now)]), from: "mqtt", now: now)
        }
        let lastChange: Int64 = 9_999
        #expect(filter.nextDeadline() == lastChange + 60_000)
        #expect(filter.scheduledEntryCount <= 2 * 1 + 64 + 1)
        #expect(filter.reports(now: 69_999) == [report(ts: 69_999, telemetry: ["t": 9_999])])
    }

    @Test("Huge periods and TTLs saturate instead of overflowing")
    func hugeValues() {
        var filter = ReportFilter(gatewayDefault: .period(.max, ttl: .max))
        #expect(filter.forwardedTelemetry(telemetry(["t": 1]), now: 1_700_000_000_000) == ["t": 1])
        #expect(filter.nextDeadline() == .max)
        #expect(filter.reports(now: 1_800_000_000_000).isEmpty)
        #expect(filter.forwardedTelemetry(telemetry(["t": 2]), now: 1_800_000_000_000) == nil)
    }

    @Test("A wall-clock step backwards moves the schedule with it instead of stalling reports")
    func clockStepBack() {
        var filter = ReportFilter(gatewayDefault: .period(1000))
        _ = filter.admit(telemetry(["t": 1]), from: "mqtt", now: 100_000)
        #expect(filter.reports(now: 101_000).count == 1)
        #expect(filter.reports(now: 101_500).isEmpty)
        // Clock set back one hour after 101 500: the next report is still 500 ms away.
        _ = filter.admit(telemetry(["t": 2]), from: "mqtt", now: 101_500 - 3_600_000)
        #expect(filter.nextDeadline() == 102_000 - 3_600_000)
        #expect(filter.reports(now: 102_000 - 3_600_000) == [report(ts: 102_000 - 3_600_000, telemetry: ["t": 2])])
    }
}
