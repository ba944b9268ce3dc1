import GatewayKit
@testable import SimulatorConnector
import Testing

@Suite("Simulator configuration")
struct SimulatorConfigurationTests {
    /// A valid device entry to break one key at a time.
    static func device(_ overrides: JSONObject = [:], removing removed: [String] = []) -> JSONValue {
        var device: JSONObject = [
            "name": "Boiler",
            "telemetry": [["key": "counter", "kind": "counter"]],
        ]
        for (key, value) in overrides { device[key] = value }
        for key in removed { device[key] = nil }
        return .object(device)
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var document: JSONValue
        var keyPath: String
        var expected: String
        var found: String?
        var testDescription: String { keyPath + " " + (found ?? "missing") }
    }

    static let badCases: [BadCase] = [
        BadCase(document: "devices", keyPath: "", expected: "an object", found: "\"devices\""),
        BadCase(document: [:], keyPath: "devices", expected: "an array", found: nil),
        BadCase(document: ["devices": [:]], keyPath: "devices", expected: "an array", found: "{}"),
        BadCase(document: ["devices": []], keyPath: "devices", expected: "a non-empty array", found: "[]"),
        BadCase(document: ["devices": [1]], keyPath: "devices[0]", expected: "an object", found: "1"),
        BadCase(document: ["devices": [device(removing: ["name"])]], keyPath: "devices[0].name",
                expected: "a non-empty string", found: nil),
        BadCase(document: ["devices": [device(["name": ""])]], keyPath: "devices[0].name",
                expected: "a non-empty string", found: "\"\""),
        BadCase(document: ["devices": [device(["type": 7])]], keyPath: "devices[0].type",
                expected: "a non-empty string", found: "7"),
        BadCase(document: ["devices": [device(["count": 0])]], keyPath: "devices[0].count",
                expected: "an integer >= 1", found: "0"),
        BadCase(document: ["devices": [device(["count": "three"])]], keyPath: "devices[0].count",
                expected: "an integer >= 1", found: "\"three\""),
        BadCase(document: ["devices": [device(["count": 2_000_000])]], keyPath: "devices[0].count",
                expected: "an integer from 1 to 1000000", found: "2000000"),
        BadCase(document: ["devices": [device(["periodMs": -5])]], keyPath: "devices[0].periodMs",
                expected: "an integer >= 1", found: "-5"),
        BadCase(document: ["devices": [device(["periodMs": 1.5])]], keyPath: "devices[0].periodMs",
                expected: "an integer >= 1", found: "1.5"),
        BadCase(document: ["devices": [device(["readingsPerPeriod": 0])]], keyPath: "devices[0].readingsPerPeriod",
                expected: "an integer >= 1", found: "0"),
        BadCase(document: ["devices": [device(["attributesPeriodMs": -1])]], keyPath: "devices[0].attributesPeriodMs",
                expected: "an integer >= 0", found: "-1"),
        BadCase(document: ["devices": [device(["telemetry": "counter"])]], keyPath: "devices[0].telemetry",
                expected: "an array", found: "\"counter\""),
        BadCase(document: ["devices": [device(["telemetry": []])]], keyPath: "devices[0].telemetry",
                expected: "at least one telemetry or attributes entry", found: nil),
        BadCase(document: ["devices": [device(["telemetry": ["x"]])]], keyPath: "devices[0].telemetry[0]",
                expected: "an object", found: "\"x\""),
        BadCase(document: ["devices": [device(["telemetry": [["kind": "counter"]]])]],
                keyPath: "devices[0].telemetry[0].key", expected: "a non-empty string", found: nil),
        BadCase(document: ["devices": [device(["telemetry": [["key": "a", "kind": "counter"], ["key": "b", "kind": "foo"]]])]],
                keyPath: "devices[0].telemetry[1].kind", expected: "one of counter, sine, randomWalk, constant",
                found: "\"foo\""),
        BadCase(document: ["devices": [device(["telemetry": [["key": "a"]]])]], keyPath: "devices[0].telemetry[0].kind",
                expected: "one of counter, sine, randomWalk, constant", found: nil),
        BadCase(document: ["devices": [device(["telemetry": [["key": "a", "kind": "counter"], ["key": "a", "kind": "counter"]]])]],
                keyPath: "devices[0].telemetry[1].key", expected: "a key not used by another telemetry entry",
                found: "\"a\""),
        BadCase(document: ["devices": [device(["telemetry": [["key": "a", "kind": "counter", "start": 0.5]]])]],
                keyPath: "devices[0].telemetry[0].start", expected: "an integer", found: "0.5"),
        BadCase(document: ["devices": [device(["telemetry": [["key": "a", "kind": "counter", "step": "one"]]])]],
                keyPath: "devices[0].telemetry[0].step", expected: "an integer", found: "\"one\""),
        BadCase(document: ["devices": [device(["telemetry": [["key": "a", "kind": "sine", "periodSeconds": 0]]])]],
                keyPath: "devices[0].telemetry[0].periodSeconds", expected: "a number > 0", found: "0"),
        BadCase(document: ["devices": [device(["telemetry": [["key": "a", "kind": "sine", "amplitude": "big"]]])]],
                keyPath: "devices[0].telemetry[0].amplitude", expected: "a number", found: "\"big\""),
        BadCase(document: ["devices": [device(["telemetry": [["key": "a", "kind": "sine", "offset": true]]])]],
                keyPath: "devices[0].telemetry[0].offset", expected: "a number", found: "true"),
        BadCase(document: ["devices": [device(["telemetry": [["key": "a", "kind": "randomWalk", "min": 2, "max": 1]]])]],
                keyPath: "devices[0].telemetry[0].max", expected: "a number >= min (2)", found: "1"),
        BadCase(document: ["devices": [device(["telemetry": [["key": "a", "kind": "randomWalk", "start": 0, "min": 1]]])]],
                keyPath: "devices[0].telemetry[0].start", expected: "a number >= min", found: "0"),
        BadCase(document: ["devices": [device(["telemetry": [["key": "a", "kind": "randomWalk", "start": 9, "max": 1]]])]],
                keyPath: "devices[0].telemetry[0].start", expected: "a number <= max", found: "9"),
        BadCase(document: ["devices": [device(["telemetry": [["key": "a", "kind": "randomWalk", "step": -1]]])]],
                keyPath: "devices[0].telemetry[0].step", expected: "a number >= 0", found: "-1"),
        BadCase(document: ["devices": [device(["telemetry": [["key": "a", "kind": "constant"]]])]],
                keyPath: "devices[0].telemetry[0].value", expected: "a JSON value", found: nil),
        BadCase(document: ["devices": [device(["attributes": [:]])]], keyPath: "devices[0].attributes",
                expected: "an array", found: "{}"),
        BadCase(document: ["devices": [device(["attributes": [["key": "model"]]])]],
                keyPath: "devices[0].attributes[0].value", expected: "a JSON value", found: nil),
        BadCase(document: ["devices": [device(["attributes": [["value": 1]]])]],
                keyPath: "devices[0].attributes[0].key", expected: "a non-empty string", found: nil),
        BadCase(document: ["devices": [device(["attributes": [["key": "m", "value": 1], ["key": "m", "value": 2]]])]],
                keyPath: "devices[0].attributes[1].key", expected: "a key not used by another attribute", found: "\"m\""),
        BadCase(document: ["devices": [device(["periodMS": 5])]], keyPath: "devices[0].periodMS",
                expected: "no such key (known keys: name, type, count, periodMs, readingsPerPeriod, telemetry, "
                    + "attributes, attributesPeriodMs, maxReadings)", found: nil),
        BadCase(document: ["devices": [device(["telemetry": [["key": "a", "kind": "sine", "amplitud": 3]]])]],
                keyPath: "devices[0].telemetry[0].amplitud",
                expected: "no such key (known keys: key, kind, offset, amplitude, periodSeconds)", found: nil),
        BadCase(document: ["devices": [device(["attributes": [["key": "m", "value": 1, "ts": 5]]])]],
                keyPath: "devices[0].attributes[0].ts", expected: "no such key (known keys: key, value)", found: nil),
        BadCase(document: ["devices": [device(["name": "Meter", "count": 3]), device(["name": "Meter 2"])]],
                keyPath: "devices[1].name", expected: "device names not used by devices[0] too", found: "\"Meter 2\""),
    ]

    @Test(arguments: badCases)
    func badConfigurationNamesTheKey(_ bad: BadCase) {
        let context = RecordingContext()
        #expect(throws: ConfigError(file: "simulator.json", keyPath: bad.keyPath, expected: bad.expected,
                                    found: bad.found)) {
            _ = try SimulatorConnectorFactory.make(makeSetup(bad.document, context: context))
        }
    }

    @Test func defaultsAreApplied() throws {
        let configuration = try SimulatorConfiguration.parse(["devices": [
            ["name": "Boiler", "telemetry": [
                ["key": "c", "kind": "counter"],
                ["key": "s", "kind": "sine"],
                ["key": "w", "kind": "randomWalk", "min": 0.5],
                ["key": "k", "kind": "constant", "value": ["nested": [1, 2]]],
            ]],
        ]], file: "simulator.json")
        let group = try #require(configuration.devices.first)
        #expect(group.type == "default")
        #expect(group.count == 1)
        #expect(group.period == .seconds(1))
        #expect(group.readingsPerPeriod == 1)
        #expect(group.attributesPeriod == nil)
        #expect(group.telemetry.map(\.signal) == [
            .counter(start: 0, step: 1),
            .sine(offset: 0, amplitude: 1, periodSeconds: 60),
            .randomWalk(start: 0.5, step: 1, min: 0.5, max: nil),
            .constant(["nested": [1, 2]]),
        ])
    }

    @Test func deviceNames() {
        let plain = SimulatorConfiguration.DeviceGroup(name: "Boiler")
        #expect(plain.deviceName(index: 1) == "Boiler")
        let counted = SimulatorConfiguration.DeviceGroup(name: "Meter", count: 3)
        #expect((1...3).map(counted.deviceName(index:)) == ["Meter 1", "Meter 2", "Meter 3"])
        let templated = SimulatorConfiguration.DeviceGroup(name: "Pump ${index} (east)", count: 2)
        #expect(templated.deviceName(index: 2) == "Pump 2 (east)")
    }

    @Test func shippedExampleConfigurationIsValid() throws {
        // The example in config/simulator.json, kept in step by hand (no JSON parser dependency here).
        let configuration = try SimulatorConfiguration.parse(shippedExample, file: "config/simulator.json")
        #expect(configuration.devices.map(\.name) == ["Simulated Boiler", "Simulated Meter"])
        #expect(configuration.devices.map(\.count) == [1, 3])
    }

    @Test func missedDeadlinesAreSkippedWithoutDrift() {
        let origin = ContinuousClock.now
        let period = Duration.milliseconds(10)
        // On time: the next period.
        #expect(SimulatedDevice.nextDeadline(after: origin, period: period, now: origin + .milliseconds(3))
                == origin + .milliseconds(10))
        // 35 ms late: periods 10, 20, 30 are skipped, phase kept.
        #expect(SimulatedDevice.nextDeadline(after: origin, period: period, now: origin + .milliseconds(35))
                == origin + .milliseconds(40))
        #expect(SimulatedDevice.nextDeadline(after: origin, period: period, now: origin + .milliseconds(10))
                == origin + .milliseconds(20))
    }
}

let shippedExample: JSONValue = [
    "devices": [
        [
            "name": "Simulated Boiler", "type": "boiler", "periodMs": 1000,
            "telemetry": [
                ["key": "counter", "kind": "counter", "start": 0, "step": 1],
                ["key": "temperature", "kind": "sine", "offset": 20, "amplitude": 5, "periodSeconds": 60],
                ["key": "pressure", "kind": "randomWalk", "start": 1.0, "step": 0.05, "min": 0.5, "max": 1.5],
                ["key": "status", "kind": "constant", "value": "OK"],
            ],
            "attributes": [["key": "model", "value": "SIM-1000"], ["key": "firmware", "value": "1.2.3"]],
            "attributesPeriodMs": 0,
        ],
        [
            "name": "Simulated Meter", "type": "meter", "count": 3, "periodMs": 5000,
            "telemetry": [
                ["key": "energy", "kind": "counter", "start": 1000, "step": 5],
                ["key": "power", "kind": "randomWalk", "start": 2.5, "step": 0.2, "min": 0, "max": 10],
                ["key": "voltage", "kind": "sine", "offset": 230, "amplitude": 3, "periodSeconds": 300],
            ],
            "attributes": [["key": "vendor", "value": "Simulated Meters Inc."]],
            "attributesPeriodMs": 60000,
        ],
    ],
]
