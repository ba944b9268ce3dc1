import GatewayKit
import Testing
@testable import Reporting

@Suite("Strategy precedence: key > device > connector > gateway")
struct PrecedenceTests {
    /// Sends the same value twice and tells which strategy the datapoint behaved by:
    /// ON_RECEIVED sends both, ON_CHANGE only the first, a 700 ms period schedules a report.
    private func behaviour(of filter: inout ReportFilter, _ data: ConvertedData, connector: String) -> String {
        let first = filter.admit(data, from: connector, now: 0) != nil
        let second = filter.admit(data, from: connector, now: 1) != nil
        switch (first, second, filter.nextDeadline()) {
        case (true, true, nil): return "received"
        case (true, false, nil): return "change"
        case (true, false, 700): return "period"
        default: return "unexpected"
        }
    }

    @Test("Gateway default applies when nothing else is set")
    func gatewayLevel() {
        var filter = ReportFilter(gatewayDefault: .onChange)
        #expect(behaviour(of: &filter, telemetry(["t": 1]), connector: "mqtt") == "change")
    }

    @Test("Connector default beats the gateway, only for its own connector")
    func connectorLevel() {
        var filter = ReportFilter(gatewayDefault: .onChange)
        filter.setConnectorDefault(.period(700), for: "modbus")
        #expect(behaviour(of: &filter, telemetry(["t": 1]), connector: "modbus") == "period")
        var other = ReportFilter(gatewayDefault: .onChange)
        other.setConnectorDefault(.period(700), for: "modbus")
        #expect(behaviour(of: &other, telemetry(["t": 1]), connector: "mqtt") == "change")
        var cleared = ReportFilter(gatewayDefault: .onChange)
        cleared.setConnectorDefault(.period(700), for: "mqtt")
        cleared.setConnectorDefault(nil, for: "mqtt")
        #expect(behaviour(of: &cleared, telemetry(["t": 1]), connector: "mqtt") == "change")
    }

    @Test("Device strategy beats the connector's")
    func deviceLevel() {
        var filter = ReportFilter(gatewayDefault: .onChange)
        filter.setConnectorDefault(.onChange, for: "mqtt")
        #expect(behaviour(of: &filter, telemetry(["t": 1], strategy: .period(700)), connector: "mqtt") == "period")
        var received = ReportFilter(gatewayDefault: .onChange)
        received.setConnectorDefault(.period(700), for: "mqtt")
        #expect(behaviour(of: &received, telemetry(["t": 1], strategy: .onReceived), connector: "mqtt") == "received")
    }

    @Test("Key strategy beats the device's")
    func keyLevel() {
        var filter = ReportFilter(gatewayDefault: .onReceived)
        filter.setConnectorDefault(.onReceived, for: "mqtt")
        let data = telemetry(["t": 1], strategy: .onReceived, keys: ["t": .period(700)])
        #expect(behaviour(of: &filter, data, connector: "mqtt") == "period")
        var received = ReportFilter(gatewayDefault: .onChange)
        let keyReceived = telemetry(["t": 1], strategy: .period(700), keys: ["t": .onReceived])
        #expect(behaviour(of: &received, keyReceived, connector: "mqtt") == "received")
    }

    @Test("Restarting or removing a connector forgets what was cached for it, and only for it")
    func connectorReload() {
        var filter = ReportFilter(gatewayDefault: nil)
        filter.setConnectorDefault(.period(700), for: "mqtt")
        filter.setConnectorDefault(.onChange, for: "modbus")
        _ = filter.admit(telemetry(["t": 1]), from: "mqtt", now: 0)
        _ = filter.admit(telemetry(["t": 1]), from: "modbus", now: 0)
        #expect(filter.cachedKeyCount == 2)
        // Restarted with another mapping but the same root strategy (as the reference, which
        // clears the connector's records on every change from ThingsBoard): the periodic report
        // of the old mapping stops.
        filter.setConnectorDefault(.period(700), for: "mqtt")
        #expect(filter.cachedKeyCount == 1)
        #expect(filter.nextDeadline() == nil)
        _ = filter.admit(telemetry(["t": 1]), from: "mqtt", now: 0)
        filter.setConnectorDefault(.onChange, for: "mqtt")
        #expect(filter.cachedKeyCount == 1)
        #expect(filter.nextDeadline() == nil)
        #expect(filter.forwardedTelemetry(telemetry(["t": 1]), from: "mqtt", now: 1) == ["t": 1])
        #expect(filter.forwardedTelemetry(telemetry(["t": 1]), from: "modbus", now: 1) == nil)
    }

    @Test("A device renamed on ThingsBoard keeps its cached values and periodic reports under the new name only")
    func rename() {
        var filter = ReportFilter(gatewayDefault: nil)
        _ = filter.admit(telemetry(["t": 1], device: "Old", strategy: .period(1000)), from: "mqtt", now: 0)
        filter.renameDevice("Old", to: "New")
        // The value seen before the rename is not a first value for the new name.
        #expect(filter.forwardedTelemetry(telemetry(["t": 1], device: "New", strategy: .period(1000)), now: 500) == nil)
        #expect(filter.reports(now: 1000) == [report(device: "New", ts: 1000, telemetry: ["t": 1])])
        #expect(filter.reports(now: 2000) == [report(device: "New", ts: 2000, telemetry: ["t": 1])])
        #expect(filter.cachedKeyCount == 1)
    }

    @Test("A datapoint arriving under another strategy starts afresh")
    func strategySwitch() {
        var filter = ReportFilter(gatewayDefault: nil)
        _ = filter.admit(telemetry(["t": 1], keys: ["t": .period(700)]), from: "mqtt", now: 0)
        #expect(filter.nextDeadline() == 700)
        #expect(filter.forwardedTelemetry(telemetry(["t": 1], keys: ["t": .onChange]), now: 10) == ["t": 1])
        #expect(filter.nextDeadline() == nil)
        #expect(filter.forwardedTelemetry(telemetry(["t": 1], keys: ["t": .onChange]), now: 20) == nil)
    }
}
