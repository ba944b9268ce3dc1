import GatewayKit

/// The validated contents of a simulator connector configuration file (see README.md).
public struct SimulatorConfiguration: Sendable, Equatable {
    public var devices: [DeviceGroup]

    public init(devices: [DeviceGroup]) {
        self.devices = devices
    }

    /// One `devices[i]` entry: `count` identical devices that differ only in their names.
    public struct DeviceGroup: Sendable, Equatable {
        /// The name as configured; expand with `deviceName(index:)`.
        public var name: String
        public var type: String
        public var count: Int
        public var period: Duration
        public var readingsPerPeriod: Int
        public var telemetry: [TelemetrySpec]
        public var attributes: JSONObject
        /// nil: attributes are sent once, with the first reading.
        public var attributesPeriod: Duration?
        /// Accepted sends after which a device stops (nil: never). For exact, repeatable loads.
        public var maxReadings: Int?

        public init(name: String, type: String = "default", count: Int = 1, period: Duration = .seconds(1),
                    readingsPerPeriod: Int = 1, telemetry: [TelemetrySpec] = [], attributes: JSONObject = [:],
                    attributesPeriod: Duration? = nil, maxReadings: Int? = nil) {
            self.maxReadings = maxReadings
            self.name = name
            self.type = type
            self.count = count
            self.period = period
            self.readingsPerPeriod = readingsPerPeriod
            self.telemetry = telemetry
            self.attributes = attributes
            self.attributesPeriod = attributesPeriod
        }

        /// The name of device `index` (1-based): `${index}` in the name is replaced; without it,
        /// groups of more than one device get " <index>" appended so every name is distinct.
        public func deviceName(index: Int) -> String {
            if name.contains(Self.indexPlaceholder) {
                return name.replacing(Self.indexPlaceholder, with: String(index))
            }
            return count > 1 ? "\(name) \(index)" : name
        }

        public static let indexPlaceholder = "${index}"
    }

    public struct TelemetrySpec: Sendable, Equatable {
        public var key: String
        public var signal: Signal

        public init(key: String, signal: Signal) {
            self.key = key
            self.signal = signal
        }
    }

    /// How one telemetry key's values evolve.
    public enum Signal: Sendable, Equatable {
        /// start, start+step, ... advancing only when a reading was accepted.
        case counter(start: Int64, step: Int64)
        /// offset + amplitude * sin(2π t / period), t = time since the connector started.
        case sine(offset: Double, amplitude: Double, periodSeconds: Double)
        /// Each reading moves by a uniform random amount in [-step, step], clamped to [min, max].
        case randomWalk(start: Double, step: Double, min: Double?, max: Double?)
        case constant(JSONValue)
    }
}
