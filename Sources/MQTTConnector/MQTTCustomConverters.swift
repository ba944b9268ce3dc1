import GatewayKit
import Logging
import Synchronization

/// What a custom converter factory gets: the mapping's `converter` object and its
/// `extensionConfig`, so one converter type can serve differently configured mappings.
public struct MQTTCustomConverterSetup: Sendable {
    /// The `extension` name the mapping asked for.
    public var name: String
    /// The whole `converter` object of the mapping (for reading options with `ConfigReader`).
    public var converter: ConfigReader
    /// `converter.extensionConfig` (also accepted as `extension-config`), or nil.
    public var extensionConfig: JSONValue?
    public var logger: Logger
}

/// The process-wide list of custom uplink converters, by the name a config's
/// `converter.extension` uses. Register before the gateway starts its connectors:
///
/// ```swift
/// MQTTCustomConverters.register("CustomMqttUplinkConverter") { setup in
///     try MyConverter(setup)
/// }
/// ```
public enum MQTTCustomConverters {
    public typealias Factory = @Sendable (MQTTCustomConverterSetup) throws -> any MQTTUplinkConverter

    private static let registry = Registry()

    /// Adds (or replaces) the converter called `name`.
    public static func register(_ name: String, factory: @escaping Factory) {
        registry.entries.withLock { $0[name] = factory }
    }

    public static func unregister(_ name: String) {
        registry.entries.withLock { _ = $0.removeValue(forKey: name) }
    }

    public static var registeredNames: [String] {
        registry.entries.withLock { $0.keys.sorted() }
    }

    static func factory(named name: String) -> Factory? {
        registry.entries.withLock { $0[name] }
    }

    private final class Registry: Sendable {
        let entries = Mutex<[String: Factory]>([:])
    }
}
