import GatewayKit
import SimulatorConnector
import Testing

@Suite("Simulator connector: what the gateway receives", .timeLimit(.minutes(2)))
struct SimulatorRunTests {
    @Test func countersStartAtStartAndAreContiguous() async throws {
        let context = RecordingContext()
        let task = try startSimulator([
            "devices": [["name": "Boiler", "periodMs": 2,
                         "telemetry": [["key": "counter", "kind": "counter", "start": 5, "step": 3]]]],
        ], context: context)
        let reached = await context.waitFor { $0.accepted.count >= 10 }
        #expect(reached)
        task.cancel()
        try await task.value

        let sent = await context.accepted
        let values = counterValues(sent)
        #expect(values.count == sent.count)
        #expect(values.first == 5)
        #expect(values == (0..<Int64(values.count)).map { 5 + 3 * $0 })
        #expect(sent.allSatisfy { $0.deviceName == "Boiler" && $0.deviceType == "default" })
        #expect(sent.allSatisfy { $0.telemetry.allSatisfy { $0.ts == nil } })
    }

    @Test func rejectedReadingsAreRetriedWithoutGaps() async throws {
        // Rejects sends 1...4 (a burst) and then every third send.
        let context = RecordingContext { index, _ in
            (1...4).contains(index) || (index > 4 && index % 3 == 0) ? .rejected("storage full") : .accepted
        }
        let task = try startSimulator([
            "devices": [["name": "Meter", "periodMs": 1, "readingsPerPeriod": 2,
                         "telemetry": [["key": "counter", "kind": "counter"]]]],
        ], context: context)
        let reached = await context.waitFor { $0.accepted.count >= 12 }
        #expect(reached)
        task.cancel()
        try await task.value

        let deliveries = await context.deliveries
        // Everything accepted, in order, is 0, 1, 2, ... with no gap and no repeat.
        let acceptedValues = counterValues(deliveries.filter { $0.outcome == .accepted }.map(\.data))
        #expect(acceptedValues == Array(0..<Int64(acceptedValues.count)))
        // A rejected reading is sent again unchanged.
        for (index, delivery) in deliveries.enumerated().dropLast() where delivery.outcome != .accepted {
            #expect(deliveries[index + 1].data == delivery.data)
        }
        #expect(deliveries.allSatisfy { $0.data.telemetry.count == 2 })
    }

    @Test func sineAndRandomWalkStayInBoundsWithThreeDecimals() async throws {
        let context = RecordingContext()
        let task = try startSimulator([
            "devices": [["name": "Boiler", "periodMs": 1, "readingsPerPeriod": 5, "telemetry": [
                ["key": "temperature", "kind": "sine", "offset": 20, "amplitude": 5, "periodSeconds": 0.05],
                ["key": "pressure", "kind": "randomWalk", "start": 1.0, "step": 0.3, "min": 0.5, "max": 1.5],
                ["key": "status", "kind": "constant", "value": "OK"],
            ]]],
        ], context: context)
        let reached = await context.waitFor { $0.accepted.count >= 40 }
        #expect(reached)
        task.cancel()
        try await task.value

        let entries = await context.accepted.flatMap(\.telemetry)
        var temperatures: [Double] = []
        var pressures: [Double] = []
        for entry in entries {
            #expect(Array(entry.values.keys) == ["temperature", "pressure", "status"])
            #expect(entry.values["status"] == "OK")
            guard case .double(let temperature)? = entry.values["temperature"],
                  case .double(let pressure)? = entry.values["pressure"] else {
                Issue.record("expected doubles, got \(entry.values)")
                continue
            }
            temperatures.append(temperature)
            pressures.append(pressure)
        }
        #expect(temperatures.allSatisfy { (15...25).contains($0) })
        #expect(pressures.allSatisfy { (0.5...1.5).contains($0) })
        #expect((temperatures + pressures).allSatisfy { ($0 * 1000).rounded() / 1000 == $0 })
        // The wave and the walk actually move.
        #expect(Set(temperatures).count > 3)
        #expect(Set(pressures).count > 3)
    }

    @Test func countNamesDevicesAndSpreadsThemInOrder() async throws {
        let context = RecordingContext()
        let task = try startSimulator([
            "devices": [
                ["name": "Meter", "type": "meter", "count": 3, "periodMs": 6,
                 "telemetry": [["key": "counter", "kind": "counter"]]],
                ["name": "Pump-${index}-x", "count": 2, "periodMs": 4,
                 "telemetry": [["key": "counter", "kind": "counter"]]],
            ],
        ], context: context)
        let reached = await context.waitFor { context in
            ["Meter 1", "Meter 2", "Meter 3", "Pump-1-x", "Pump-2-x"].allSatisfy { name in
                context.accepted.filter { $0.deviceName == name }.count >= 3
            }
        }
        #expect(reached)
        task.cancel()
        try await task.value

        let sent = await context.accepted
        #expect(Set(sent.map(\.deviceName)) == ["Meter 1", "Meter 2", "Meter 3", "Pump-1-x", "Pump-2-x"])
        #expect(sent.filter { $0.deviceName.hasPrefix("Meter") }.allSatisfy { $0.deviceType == "meter" })
        #expect(sent.filter { $0.deviceName.hasPrefix("Pump") }.allSatisfy { $0.deviceType == "default" })
        // Phases are spread across the period: the meters take turns 1, 2, 3, 1, 2, 3, ...
        let meters = sent.map(\.deviceName).filter { $0.hasPrefix("Meter") }
        #expect(Array(meters.prefix(6)) == ["Meter 1", "Meter 2", "Meter 3", "Meter 1", "Meter 2", "Meter 3"])
        // Every device has its own contiguous counter.
        for name in ["Meter 1", "Meter 2", "Meter 3", "Pump-1-x", "Pump-2-x"] {
            let values = counterValues(sent.filter { $0.deviceName == name })
            #expect(values == Array(0..<Int64(values.count)), "\(name)")
        }
    }

    @Test func oneShotAttributesAreSentOnceAndRetriedIfRejected() async throws {
        // The very first send (which carries the attributes) is rejected.
        let context = RecordingContext { index, _ in index == 0 ? .rejected("not connected") : .accepted }
        let task = try startSimulator([
            "devices": [["name": "Boiler", "periodMs": 1,
                         "telemetry": [["key": "counter", "kind": "counter"]],
                         "attributes": [["key": "model", "value": "SIM-1000"], ["key": "firmware", "value": "1.2.3"]]]],
        ], context: context)
        let reached = await context.waitFor { $0.accepted.count >= 5 }
        #expect(reached)
        task.cancel()
        try await task.value

        let sent = await context.accepted
        #expect(sent.first?.attributes == ["model": "SIM-1000", "firmware": "1.2.3"])
        #expect(sent.dropFirst().allSatisfy { $0.attributes.isEmpty })
    }

    @Test func periodicAttributesRepeat() async throws {
        let context = RecordingContext()
        let task = try startSimulator([
            "devices": [["name": "Gateway box", "periodMs": 2, "attributesPeriodMs": 10,
                         "attributes": [["key": "uptimeCheck", "value": true]]]],
        ], context: context)
        let reached = await context.waitFor { $0.accepted.count >= 3 }
        #expect(reached)
        task.cancel()
        try await task.value

        let sent = await context.accepted
        // An attributes-only device sends nothing between attribute periods.
        #expect(sent.allSatisfy { $0.attributes == ["uptimeCheck": true] && $0.telemetry.isEmpty })
    }

    @Test func periodicAttributesRideAlongWithSomeReadings() async throws {
        let context = RecordingContext()
        let task = try startSimulator([
            // Attribute periods far apart: on a loaded machine a 2 ms tick can take 10 ms, and a
            // reading that comes after the attribute period rightly carries the attributes.
            "devices": [["name": "Boiler", "periodMs": 2, "attributesPeriodMs": 150,
                         "telemetry": [["key": "counter", "kind": "counter"]],
                         "attributes": [["key": "model", "value": "SIM-1000"]]]],
        ], context: context)
        let reached = await context.waitFor { context in
            context.accepted.filter { !$0.attributes.isEmpty }.count >= 2
        }
        #expect(reached)
        task.cancel()
        try await task.value

        let sent = await context.accepted
        #expect(sent.first?.attributes == ["model": "SIM-1000"])
        // Attributes every 150 ms, telemetry every 2 ms: most readings go without them.
        #expect(sent.filter { $0.attributes.isEmpty }.count >= 3)
        #expect(sent.allSatisfy { $0.attributes.isEmpty || $0.attributes == ["model": "SIM-1000"] })
        let values = counterValues(sent)
        #expect(values == Array(0..<Int64(values.count)))
    }

    @Test func tenThousandDevicesEachReportWithinAPeriod() async throws {
        let context = RecordingContext()
        let task = try startSimulator([
            "devices": [["name": "Sensor", "count": 10_000, "periodMs": 200,
                         "telemetry": [["key": "counter", "kind": "counter"]]]],
        ], context: context)
        let reached = await context.waitFor(timeout: .seconds(20)) { $0.deliveries.count >= 10_000 }
        #expect(reached)
        task.cancel()
        try await task.value

        let firstRound = await context.deliveries.prefix(10_000).map(\.data.deviceName)
        #expect(Set(firstRound).count == 10_000)
        #expect(firstRound.first == "Sensor 1")
        #expect(firstRound.last == "Sensor 10000")
    }

    @Test func cancellationStopsPromptlyEvenMidPeriod() async throws {
        let context = RecordingContext()
        let task = try startSimulator([
            "devices": [["name": "Slow", "count": 1000, "periodMs": 60_000,
                         "telemetry": [["key": "counter", "kind": "counter"]]]],
        ], context: context)
        let reached = await context.waitFor { $0.deliveries.count >= 1 }
        #expect(reached)
        let clock = ContinuousClock()
        let stoppedAfter = try await clock.measure {
            task.cancel()
            try await task.value
        }
        #expect(stoppedAfter < .milliseconds(500))
        let countAtStop = await context.deliveries.count
        try await Task.sleep(for: .milliseconds(50))
        #expect(await context.deliveries.count == countAtStop)
    }
}
