import GatewayKit
import Logging
import NIOCore

/// One message received from the external broker, as a converter sees it.
public struct MQTTUplinkMessage: Sendable {
    public var topic: String
    public var payload: ByteBuffer
    /// When the connector received it, in milliseconds since the Unix epoch.
    public var receivedAt: Int64

    public init(topic: String, payload: ByteBuffer, receivedAt: Int64) {
        self.topic = topic
        self.payload = payload
        self.receivedAt = receivedAt
    }

    /// The payload as an array (one copy).
    public var payloadBytes: [UInt8] { Array(payload.readableBytesView) }
}

/// Turns a received message into device readings. The built-in `json` and `bytes` converters
/// implement it; a `custom` converter is any type implementing it, registered by name with
/// `MQTTCustomConverters.register` (see README.md).
///
/// Called from one task at a time per connector, never on an event loop; it may take its time,
/// but the connector reads no further messages meanwhile.
public protocol MQTTUplinkConverter: Sendable {
    /// The readings of the message, one `ConvertedData` per device. Throws when the message is
    /// unusable (or partly so: put the readings that were fine in `partial`).
    func convert(_ message: MQTTUplinkMessage) throws(MQTTConversionError) -> [ConvertedData]
}

/// Why a message could not be (fully) converted. The connector counts it, logs it (once per
/// burst) and still sends `partial`.
public struct MQTTConversionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    /// Readings converted before the problem (for example the good elements of a JSON array).
    public var partial: [ConvertedData]

    public init(_ reason: String, partial: [ConvertedData] = []) {
        self.reason = reason
        self.partial = partial
    }

    public var description: String { reason }
}
