import GatewayCore
import GatewayKit
import Logging
import Storage
import Testing
import TestSupport

/// Report strategies as the gateway applies them between a connector and storage: what a
/// connector sends, what ends up stored for ThingsBoard.
@Suite(.timeLimit(.minutes(1))) struct ReportStrategyIngestTests {
    let connector = ConnectorIdentity(name: "Meters", type: "simulator", id: "meters")

    func reading(_ value: Double, device: String = "Meter 1") -> ConvertedData {
        ConvertedData(deviceName: device, telemetry: [TelemetryEntry(values: ["power": .double(value)])])
    }

    /// Everything stored so far, decoded, oldest first.
    func stored(_ storage: any EventStorage) async throws -> [ConvertedData] {
        var result: [ConvertedData] = []
        while let pack = try await storage.nextPack(maxEvents: 1000) {
            for event in pack.events { result.append(try event.decode(now: 0)) }
        }
        await storage.rewind()
        return result
    }

    func powers(_ data: [ConvertedData]) -> [Double] {
        data.flatMap(\.telemetry).compactMap { $0.values["power"]?.doubleValue }
    }

    @Test func onChangeForConnectorStoresOnlyChangedValues() async throws {
        let storage = MemoryEventStorage(configuration: .init(), logger: Logger(label: "test"))
        let ingest = DataIngest(storage: storage, logger: Logger(label: "test"),
                                connectorReportStrategies: ["Meters": ReportStrategy(kind: .onChange)])
        let writer = Task { await ingest.runWriter() }
        defer { writer.cancel() }
        for value in [1.0, 1.0, 1.0005, 2.0, 2.0, 1.0] {
            #expect(await ingest.send(reading(value), from: connector) == .accepted)
        }
        #expect(powers(try await stored(storage)) == [1.0, 2.0, 1.0])
        #expect(await ingest.statistics().eventsHeldByReportStrategy == 3)
    }

    @Test func gatewayDefaultAppliesAndADeviceLevelStrategyOverridesIt() async throws {
        let storage = MemoryEventStorage(configuration: .init(), logger: Logger(label: "test"))
        let ingest = DataIngest(storage: storage, logger: Logger(label: "test"),
                                reportStrategy: ReportStrategy(kind: .onChange))
        let writer = Task { await ingest.runWriter() }
        defer { writer.cancel() }
        var everyValue = reading(5, device: "Meter 2")
        everyValue.reportStrategy = .onReceived
        for _ in 0..<3 {
            _ = await ingest.send(reading(5), from: connector)
            _ = await ingest.send(everyValue, from: connector)
        }
        let data = try await stored(storage)
        #expect(data.filter { $0.deviceName == "Meter 1" }.count == 1)
        #expect(data.filter { $0.deviceName == "Meter 2" }.count == 3)
    }

    @Test func reportPeriodRepeatsTheLatestValueWithFreshTimestamps() async throws {
        let storage = MemoryEventStorage(configuration: .init(), logger: Logger(label: "test"))
        let ingest = DataIngest(storage: storage, logger: Logger(label: "test"),
                                connectorReportStrategies: ["Meters": ReportStrategy(kind: .onReportPeriod, reportPeriodMs: 200)])
        let writer = Task { await ingest.runWriter() }
        let reporter = Task { await ingest.runReporter() }
        defer { writer.cancel(); reporter.cancel() }
        _ = await ingest.send(reading(7), from: connector)
        _ = await ingest.send(reading(8), from: connector)   // held: only updates the cached value

        let reported = await waitUntil(timeout: 10, checking: { await ingest.statistics().periodicReports >= 3 })
        #expect(reported)
        let data = try await stored(storage)
        let values = powers(data)
        #expect(values.first == 7)
        #expect(values.dropFirst().allSatisfy { $0 == 8 }, "periodic reports carry the latest value: \(values)")
        let stamps = data.flatMap(\.telemetry).compactMap(\.ts)
        #expect(stamps == stamps.sorted() && Set(stamps).count == stamps.count, "fresh, increasing timestamps: \(stamps)")
        // Roughly one report per period, not a burst.
        if let first = stamps.dropFirst().first, let last = stamps.last, stamps.count >= 4 {
            #expect(Double(last - first) / Double(stamps.count - 2) >= 150)
        }
    }
}
