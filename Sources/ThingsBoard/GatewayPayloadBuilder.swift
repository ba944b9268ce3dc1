import Collections
import GatewayKit

/// Turns a batch of events (every telemetry `ts` resolved) into gateway API messages:
/// per device, attributes merged into one object and telemetry entries kept in order, packed
/// into as few messages as fit under the payload size and datapoint limits (reference §1.4).
///
/// Unlike the reference, entries with the same `ts` are not merged: merging is what loses
/// same-millisecond readings there ("last wins"); each entry is published as it was produced.
public struct GatewayPayloadBuilder: Sendable {
    public var maxPayloadBytes: Int
    public var maxDatapointsPerMessage: Int
    /// Devices per message: each is one telemetry message to ThingsBoard's rate limits.
    public var maxDevicesPerMessage: Int
    /// Device names that mean "the gateway itself" (published to `v1/devices/me/*`).
    public var selfDeviceNames: Set<String>

    public init(maxPayloadBytes: Int, maxDatapointsPerMessage: Int = .max, maxDevicesPerMessage: Int = .max,
                selfDeviceNames: Set<String> = ["currentThingsBoardGateway"]) {
        self.maxPayloadBytes = maxPayloadBytes
        self.maxDatapointsPerMessage = max(1, maxDatapointsPerMessage)
        self.maxDevicesPerMessage = max(1, maxDevicesPerMessage)
        self.selfDeviceNames = selfDeviceNames
    }

    struct DeviceBatch {
        var telemetry: [UplinkTelemetry] = []
        var attributes: JSONObject = [:]
    }

    public func messages(for batch: [ConvertedData]) -> [GatewayMessage] {
        messages(for: batch.map(UplinkEvent.init))
    }

    /// Attribute messages come first, then telemetry, as the reference publishes per device.
    public func messages(for batch: [UplinkEvent]) -> [GatewayMessage] {
        var devices: OrderedDictionary<String, DeviceBatch> = [:]
        for event in batch {
            devices[event.deviceName, default: DeviceBatch()].telemetry.append(contentsOf: event.telemetry)
            if !event.attributes.isEmpty {
                devices[event.deviceName]!.attributes.merge(event.attributes) { _, new in new }
            }
        }
        var messages: [GatewayMessage] = []
        let deviceAttributes = PayloadAccumulator.Shape(rootOpen: UInt8(ascii: "{"), rootClose: UInt8(ascii: "}"),
                                                        sectionOpen: UInt8(ascii: "{"), sectionClose: UInt8(ascii: "}"))
        let deviceTelemetry = PayloadAccumulator.Shape(rootOpen: UInt8(ascii: "{"), rootClose: UInt8(ascii: "}"),
                                                       sectionOpen: UInt8(ascii: "["), sectionClose: UInt8(ascii: "]"))
        let selfAttributes = PayloadAccumulator.Shape(rootOpen: UInt8(ascii: "{"), rootClose: UInt8(ascii: "}"),
                                                      sectionOpen: nil, sectionClose: nil)
        let selfTelemetry = PayloadAccumulator.Shape(rootOpen: UInt8(ascii: "["), rootClose: UInt8(ascii: "]"),
                                                     sectionOpen: nil, sectionClose: nil)

        var attributes = PayloadAccumulator(shape: deviceAttributes, maxBytes: maxPayloadBytes, maxDatapoints: maxDatapointsPerMessage,
                                            maxSections: maxDevicesPerMessage)
        var ownAttributes = PayloadAccumulator(shape: selfAttributes, maxBytes: maxPayloadBytes, maxDatapoints: maxDatapointsPerMessage)
        for (name, device) in devices where !device.attributes.isEmpty {
            let isSelf = selfDeviceNames.contains(name)
            let section = isSelf ? nil : Self.encodedName(name)
            for (key, value) in device.attributes {
                var pair: [UInt8] = []
                JSONWriter.writeString(key, into: &pair)
                pair.append(UInt8(ascii: ":"))
                value.write(into: &pair)
                let item = pair[...]
                if isSelf {
                    emit(&ownAttributes, item: item, datapoints: 1, section: nil, topic: GatewayTopics.deviceAttributes,
                         kind: .attributes, forDevices: false, into: &messages)
                } else {
                    emit(&attributes, item: item, datapoints: 1, section: section, topic: GatewayTopics.attributes,
                         kind: .attributes, forDevices: true, into: &messages)
                }
            }
        }
        flush(&attributes, topic: GatewayTopics.attributes, kind: .attributes, forDevices: true, into: &messages)
        flush(&ownAttributes, topic: GatewayTopics.deviceAttributes, kind: .attributes, forDevices: false, into: &messages)

        var telemetry = PayloadAccumulator(shape: deviceTelemetry, maxBytes: maxPayloadBytes, maxDatapoints: maxDatapointsPerMessage,
                                           maxSections: maxDevicesPerMessage)
        var ownTelemetry = PayloadAccumulator(shape: selfTelemetry, maxBytes: maxPayloadBytes, maxDatapoints: maxDatapointsPerMessage)
        for (name, device) in devices where !device.telemetry.isEmpty {
            let isSelf = selfDeviceNames.contains(name)
            let section = isSelf ? nil : Self.encodedName(name)
            for entry in device.telemetry {
                for (item, count) in entryItems(entry, sectionBytes: section?.count ?? 0) {
                    if isSelf {
                        emit(&ownTelemetry, item: item, datapoints: count, section: nil, topic: GatewayTopics.deviceTelemetry,
                             kind: .telemetry, forDevices: false, into: &messages)
                    } else {
                        emit(&telemetry, item: item, datapoints: count, section: section, topic: GatewayTopics.telemetry,
                             kind: .telemetry, forDevices: true, into: &messages)
                    }
                }
            }
        }
        flush(&telemetry, topic: GatewayTopics.telemetry, kind: .telemetry, forDevices: true, into: &messages)
        flush(&ownTelemetry, topic: GatewayTopics.deviceTelemetry, kind: .telemetry, forDevices: false, into: &messages)
        return messages
    }

    private func emit(_ accumulator: inout PayloadAccumulator, item: ArraySlice<UInt8>, datapoints: Int, section: [UInt8]?,
                      topic: String, kind: GatewayMessage.Kind, forDevices: Bool, into messages: inout [GatewayMessage]) {
        if !accumulator.fits(itemBytes: item.count, datapoints: datapoints, section: section) {
            flush(&accumulator, topic: topic, kind: kind, forDevices: forDevices, into: &messages)
        }
        accumulator.append(item, datapoints: datapoints, section: section)
    }

    private func flush(_ accumulator: inout PayloadAccumulator, topic: String, kind: GatewayMessage.Kind,
                       forDevices: Bool, into messages: inout [GatewayMessage]) {
        if let (payload, datapoints, sections) = accumulator.finish() {
            messages.append(GatewayMessage(topic: topic, payload: payload, kind: kind, datapoints: datapoints,
                                           forDevices: forDevices, deviceSections: sections))
        }
    }

    /// The entry's item, or several items with the same `ts` when one entry alone would not fit
    /// a message (or exceeds the datapoint limit).
    func entryItems(_ entry: UplinkTelemetry, sectionBytes: Int) -> [(ArraySlice<UInt8>, Int)] {
        // Room for the wrapping `{"name":[` ... `]}` around a single item.
        let budget = maxPayloadBytes - sectionBytes - 6
        if entry.item.count <= budget && entry.datapoints <= maxDatapointsPerMessage {
            return [(entry.item, entry.datapoints)]
        }
        var items: [(ArraySlice<UInt8>, Int)] = []
        var chunk: JSONObject = [:]
        var chunkBytes = 0
        let overhead = UplinkTelemetry.encode(ts: entry.ts, values: [:]).count
        for (key, value) in entry.values() {
            var pair: [UInt8] = []
            JSONWriter.writeString(key, into: &pair)
            pair.append(UInt8(ascii: ":"))
            value.write(into: &pair)
            if !chunk.isEmpty && (overhead + chunkBytes + pair.count + 1 > budget || chunk.count >= maxDatapointsPerMessage) {
                items.append((UplinkTelemetry.encode(ts: entry.ts, values: chunk)[...], chunk.count))
                chunk = [:]
                chunkBytes = 0
            }
            chunk[key] = value
            chunkBytes += pair.count + 1
        }
        if !chunk.isEmpty { items.append((UplinkTelemetry.encode(ts: entry.ts, values: chunk)[...], chunk.count)) }
        return items
    }

    static func encodedName(_ name: String) -> [UInt8] {
        var out: [UInt8] = []
        JSONWriter.writeString(name, into: &out)
        return out
    }
}
