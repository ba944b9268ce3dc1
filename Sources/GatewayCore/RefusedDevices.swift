import GatewayKit
import ThingsBoard

/// Devices whose data ThingsBoard refuses, or leaves unanswered, while it takes the other devices'
/// data: for a device they cannot create (the tenant's device limit) ThingsBoard 4.2.1 and later
/// answer QUOTA_EXCEEDED, earlier versions never answer. Once such a device is found (refused in a
/// one-device message while a later message was taken, or seen unanswered by a watchdog round, or
/// refused with another error code in a pack the refused-pack policy let go), the uplink sends its data
/// apart, one device per message, and takes a refusal or a missing answer as final, so that device
/// no longer holds every later pack back. A device is remembered for `period`, or until
/// ThingsBoard accepts its data again (the limit was raised).
struct RefusedDevices {
    /// How long a device's data goes apart after its last refusal.
    var period: Duration = .seconds(600)
    /// More devices than this are not remembered (the oldest go first): a bound, not a policy.
    var capacity = 10_000
    private var until: [String: ContinuousClock.Instant] = [:]

    var isEmpty: Bool { until.isEmpty }
    /// Devices held, expired ones included until the next `remember`.
    var count: Int { until.count }

    func contains(_ device: String, now: ContinuousClock.Instant = .now) -> Bool {
        guard let end = until[device] else { return false }
        return end > now
    }

    mutating func remember(_ devices: some Sequence<String>, now: ContinuousClock.Instant = .now) {
        until = until.filter { $0.value > now }
        for device in devices { until[device] = now + period }
        if until.count > capacity {
            for (device, _) in until.sorted(by: { $0.value < $1.value }).prefix(until.count - capacity) {
                until[device] = nil
            }
        }
    }

    mutating func forget(_ devices: some Sequence<String>) {
        for device in devices { until[device] = nil }
    }

    /// The one device a refused message carries data of (`{"Pump 1":[...]}`); nil when it carries
    /// several (it cannot tell which was refused) or is not about devices.
    static func device(of message: GatewayMessage) -> String? {
        guard message.forDevices, message.deviceSections == 1, message.kind == .telemetry || message.kind == .attributes,
              let object = try? JSONValue.parse(message.payload).objectValue, object.count == 1 else { return nil }
        return object.keys.first
    }
}
