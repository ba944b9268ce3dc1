import GatewayKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The evolving state of one telemetry key on one device. A value type on purpose: a reading
/// is generated from a copy, and the copy is kept only once the gateway accepted the reading,
/// so a rejected reading leaves no gap (counters stay contiguous).
enum SignalState: Sendable {
    case counter(next: Int64, step: Int64)
    case sine(offset: Double, amplitude: Double, radiansPerSecond: Double)
    case randomWalk(current: Double, step: Double, min: Double, max: Double)
    case constant(JSONValue)

    init(_ signal: SimulatorConfiguration.Signal) {
        switch signal {
        case .counter(let start, let step):
            self = .counter(next: start, step: step)
        case .sine(let offset, let amplitude, let periodSeconds):
            self = .sine(offset: offset, amplitude: amplitude, radiansPerSecond: 2 * Double.pi / periodSeconds)
        case .randomWalk(let start, let step, let min, let max):
            self = .randomWalk(current: start, step: step, min: min ?? -.greatestFiniteMagnitude,
                               max: max ?? .greatestFiniteMagnitude)
        case .constant(let value):
            self = .constant(value)
        }
    }

    /// The next value, advancing the state. `elapsedSeconds` is the time since the connector
    /// started, so all sine devices share one phase and a restart begins a fresh wave.
    mutating func next(elapsedSeconds: Double, using generator: inout some RandomNumberGenerator) -> JSONValue {
        switch self {
        case .counter(let value, let step):
            // Wrapping: a counter running for ages must not trap the gateway.
            self = .counter(next: value &+ step, step: step)
            return .int(value)
        case .sine(let offset, let amplitude, let radiansPerSecond):
            return .double(Self.rounded(offset + amplitude * sin(radiansPerSecond * elapsedSeconds)))
        case .randomWalk(let current, let step, let minimum, let maximum):
            let moved = step > 0 ? current + Double.random(in: -step...step, using: &generator) : current
            let value = Swift.min(Swift.max(moved, minimum), maximum)
            self = .randomWalk(current: value, step: step, min: minimum, max: maximum)
            // Rounding only what is sent keeps small steps from being eaten by rounding.
            return .double(Swift.min(Swift.max(Self.rounded(value), minimum), maximum))
        case .constant(let value):
            return value
        }
    }

    /// Three decimals: what a dashboard shows, and short on the wire.
    static func rounded(_ value: Double) -> Double {
        (value * 1000).rounded() / 1000
    }
}
