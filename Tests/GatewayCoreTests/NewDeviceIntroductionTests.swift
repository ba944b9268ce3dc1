@testable import GatewayCore
import GatewayKit
import Logging
import Storage
import Synchronization
import Testing
import TestSupport
import ThingsBoard

/// A device's first reading: its connector attributes (`connectorType`, `connectorName`) go to
/// storage ahead of it, without the connector waiting for a storage write of its own.
@Suite(.timeLimit(.minutes(1))) struct NewDeviceIntroductionTests {
    let connector = ConnectorIdentity(name: "Broker", type: "mqtt", id: "broker")

    func reading(of device: String) -> ConvertedData {
        ConvertedData(deviceName: device, deviceType: "thermometer",
                      telemetry: [TelemetryEntry(ts: 1_000, values: ["temperature": .double(21.5)])])
    }

    /// The link as the gateway builds it with persistent storage (`send` waits for the write).
    /// Its ThingsBoard client is never started: introducing a device does not wait for ThingsBoard.
    func link(storage: GatedStorage) -> (GatewayLink, DataIngest) {
        let ingest = DataIngest(storage: storage, logger: Logger(label: "test"), sendWaitsForWrite: true)
        let client = ThingsBoardClient(configuration: ThingsBoardConnectionConfiguration(
            host: "127.0.0.1", port: 1, credentials: .accessToken("T")), logger: Logger(label: "test"))
        let link = GatewayLink(ingest: ingest, client: client, devices: DeviceRegistry(file: nil, logger: Logger(label: "test")),
                               filter: nil, sharedAttributeSync: nil, logger: Logger(label: "test"))
        return (link, ingest)
    }

    /// Device name and the keys of each stored event, in storage order.
    func storedEvents(in storage: GatedStorage) async throws -> [(device: String, attributes: [String], telemetry: [String])] {
        var result: [(String, [String], [String])] = []
        while let pack = try await storage.inner.nextPack(maxEvents: 100) {
            for event in pack.events {
                let data = try event.decode(now: 0)
                result.append((data.deviceName, data.attributes.keys.sorted(),
                               data.telemetry.flatMap { $0.values.keys }.sorted()))
            }
        }
        return result
    }

    @Test func aNewDevicesFirstReadingIsQueuedWithoutWaitingForAStorageWrite() async throws {
        let storage = GatedStorage()
        let (link, ingest) = link(storage: storage)
        let writer = Task { await ingest.runWriter() }
        defer { writer.cancel() }
        // Storage holds every write until the gate opens: a connector waiting for one would hang.
        let returned = Atomic<Int>(0)
        let connectorLoop = Task {
            for device in ["Sensor A", "Sensor B", "Sensor C"] {
                #expect(await link.submit(reading(of: device), from: connector) == .accepted)
                returned.add(1, ordering: .relaxed)
            }
        }
        defer { connectorLoop.cancel() }
        #expect(await waitUntil(timeout: 5) { returned.load(ordering: .relaxed) == 3 },
                "the connector waited for storage on a new device")
        await storage.open()
        #expect(await waitUntil(timeout: 5) { await ingest.statistics().eventsAccepted == 6 })
        let events = try await storedEvents(in: storage)
        #expect(events.map(\.device) == ["Sensor A", "Sensor A", "Sensor B", "Sensor B", "Sensor C", "Sensor C"])
        for (index, event) in events.enumerated() {
            if index % 2 == 0 {
                #expect(event.attributes == ["connectorName", "connectorType"] && event.telemetry.isEmpty)
            } else {
                #expect(event.attributes.isEmpty && event.telemetry == ["temperature"])
            }
        }
    }

    /// A connector that waits for the durable write of its data (`send`) finds the device's
    /// connector attributes written by then too: they were queued first, and order is kept.
    @Test func theConnectorAttributesAreWrittenNoLaterThanTheDevicesData() async throws {
        let storage = GatedStorage()
        let (link, ingest) = link(storage: storage)
        let writer = Task { await ingest.runWriter() }
        defer { writer.cancel() }
        let sending = Task { await link.send(reading(of: "Boiler"), from: connector) }
        #expect(await waitUntil(timeout: 5) { await storage.appendedEvents() >= 1 })
        await storage.open()
        #expect(await sending.value == .accepted)
        let events = try await storedEvents(in: storage)
        #expect(events.count == 2)
        #expect(events.first?.attributes == ["connectorName", "connectorType"])
        #expect(events.last?.telemetry == ["temperature"])
    }
}
