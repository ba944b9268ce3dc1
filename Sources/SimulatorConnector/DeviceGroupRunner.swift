import GatewayKit
import Logging

/// Drives the devices of one `devices[i]` entry from a single task.
///
/// All devices of a group share one period, and device `i` of `n` fires at phase `period * i / n`,
/// so the firing order is a fixed round-robin: no heap is needed, one sleep per device per period,
/// and 10,000 devices cost one task and one array. Deadlines are computed from the group's start
/// (`start + cycle * period + phase`), never from "now", so timing does not drift. If sends fall
/// behind by more than a period (gateway back-pressure), whole missed periods are skipped instead
/// of bursting.
struct DeviceGroupRunner: Sendable {
    let group: SimulatorConfiguration.DeviceGroup
    let identity: ConnectorIdentity
    let context: any GatewayContext
    let logger: Logger
    /// When the connector started: the origin of sine waves.
    let origin: ContinuousClock.Instant

    func run() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        var devices = (1...group.count).map {
            SimulatedDevice(name: group.deviceName(index: $0), group: group, start: start)
        }
        let phases = (0..<group.count).map { group.period / group.count * $0 }
        var generator = SystemRandomNumberGenerator()
        var cycleStart = start
        var accepted = [Int](repeating: 0, count: devices.count)
        var finished = 0
        while finished < devices.count {
            for index in devices.indices {
                if let limit = group.maxReadings, accepted[index] >= limit { continue }
                try await clock.sleep(until: cycleStart + phases[index], tolerance: nil)
                let now = clock.now
                let elapsed = now - origin
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                guard let reading = devices[index].nextReading(group: group, now: now, elapsedSeconds: seconds,
                                                               using: &generator) else { continue }
                switch await context.send(reading.data, from: identity) {
                case .accepted:
                    accepted[index] += 1
                    if let limit = group.maxReadings, accepted[index] == limit {
                        finished += 1
                        logger.info("simulated device finished", metadata: ["device": "\(devices[index].name)", "readings": "\(limit)"])
                    }
                    let rejections = devices[index].markAccepted(reading, group: group, now: clock.now)
                    if rejections > 0 {
                        logger.info("Simulated device accepted again", metadata: [
                            "device": "\(devices[index].name)", "rejectedReadings": "\(rejections)"])
                    }
                case .rejected(let reason):
                    if devices[index].markRejected(reading) {
                        logger.warning("Simulated reading rejected; retrying it every period", metadata: [
                            "device": "\(devices[index].name)", "reason": "\(reason)"])
                    }
                }
            }
            cycleStart = SimulatedDevice.nextDeadline(after: cycleStart, period: group.period, now: clock.now)
        }
    }
}
