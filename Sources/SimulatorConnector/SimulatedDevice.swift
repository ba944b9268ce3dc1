import GatewayKit

/// One simulated device: its signal states, when its attributes are due, and a reading the
/// gateway rejected (sent again, unchanged, instead of a new one).
struct SimulatedDevice: Sendable {
    /// A generated reading together with the signal states to keep once it is accepted.
    struct Reading: Sendable {
        var data: ConvertedData
        var signalsAfter: [SignalState]
        var carriesAttributes: Bool
    }

    let name: String
    var signals: [SignalState]
    /// When attributes are next due; nil once one-shot attributes were accepted (or if there are none).
    var attributesDue: ContinuousClock.Instant?
    var retry: Reading?
    /// Rejections since the last accepted reading: logged on the first only.
    var rejectionsInARow = 0

    init(name: String, group: SimulatorConfiguration.DeviceGroup, start: ContinuousClock.Instant) {
        self.name = name
        self.signals = group.telemetry.map { SignalState($0.signal) }
        self.attributesDue = group.attributes.isEmpty ? nil : start
    }

    /// The reading to send now: the rejected one again, or a fresh one generated from a copy of
    /// the signal states. Returns nil when there is nothing to send (attributes-only device
    /// between attribute periods).
    func nextReading(group: SimulatorConfiguration.DeviceGroup, now: ContinuousClock.Instant,
                     elapsedSeconds: Double, using generator: inout some RandomNumberGenerator) -> Reading? {
        if let retry { return retry }
        var data = ConvertedData(deviceName: name, deviceType: group.type)
        let carriesAttributes = attributesDue.map { now >= $0 } ?? false
        if carriesAttributes { data.attributes = group.attributes }
        var states = signals
        if !states.isEmpty {
            data.telemetry.reserveCapacity(group.readingsPerPeriod)
            for _ in 0..<group.readingsPerPeriod {
                var values = JSONObject(minimumCapacity: states.count)
                for index in states.indices {
                    values[group.telemetry[index].key] = states[index].next(elapsedSeconds: elapsedSeconds,
                                                                            using: &generator)
                }
                data.telemetry.append(TelemetryEntry(ts: nil, values: values))
            }
        }
        guard !data.isEmpty else { return nil }
        return Reading(data: data, signalsAfter: states, carriesAttributes: carriesAttributes)
    }

    /// Keeps the reading's effects; returns how many rejections preceded it.
    mutating func markAccepted(_ reading: Reading, group: SimulatorConfiguration.DeviceGroup,
                           now: ContinuousClock.Instant) -> Int {
        signals = reading.signalsAfter
        retry = nil
        if reading.carriesAttributes, let due = attributesDue {
            attributesDue = group.attributesPeriod.map { Self.nextDeadline(after: due, period: $0, now: now) }
        }
        defer { rejectionsInARow = 0 }
        return rejectionsInARow
    }

    /// Remembers the reading for the next period; returns true if this starts a burst of rejections.
    mutating func markRejected(_ reading: Reading) -> Bool {
        retry = reading
        rejectionsInARow += 1
        return rejectionsInARow == 1
    }

    /// `due + k * period` for the smallest k >= 1 that lies after `now`: missed deadlines are
    /// skipped rather than sent in a burst, and the phase never drifts.
    static func nextDeadline(after due: ContinuousClock.Instant, period: Duration,
                             now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        let next = due + period
        guard next <= now else { return next }
        let behind = now - next
        let skipped = Int64(behind / period) + 1
        return next + period * skipped
    }
}
