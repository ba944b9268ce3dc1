import GatewayKit
import Logging
import Synchronization

/// What a custom converter factory gets at config load: the mapping's `converter` object and its
/// `extensionConfig`, so one converter type can serve differently configured mappings.
public struct RESTCustomConverterSetup: Sendable {
    /// The `extension` name the mapping asked for.
    public var name: String
    /// The whole `converter` object of the mapping (read options with `ConfigReader`, which
    /// throws errors naming the file and key).
    public var converter: ConfigReader
    /// `converter.extensionConfig` (also accepted as `extension-config`), or nil.
    public var extensionConfig: JSONValue?
}

/// The process-wide list of custom REST uplink converters, by the name a config's
/// `converter.extension` uses. Register before the gateway starts its connectors:
///
/// ```swift
/// RESTCustomConverters.register("MyRestConverter") { setup in try MyConverter(setup) }
/// ```
///
/// `CustomRestUplinkConverter` (the name in the reference's example config) is built in, see
/// `RESTByteFieldConverter`.
public enum RESTCustomConverters {
    public typealias Factory = @Sendable (RESTCustomConverterSetup) throws(ConfigError) -> any RESTUplinkConverter

    private static let registry = Registry()

    /// Adds (or replaces) the converter called `name`.
    public static func register(_ name: String, factory: @escaping Factory) {
        registry.entries.withLock { $0[name] = factory }
    }

    public static func unregister(_ name: String) {
        registry.entries.withLock { _ = $0.removeValue(forKey: name) }
    }

    public static var registeredNames: [String] {
        registry.entries.withLock { Array($0.keys) + [RESTByteFieldConverter.name] }.sorted()
    }

    static func factory(named name: String) -> Factory? {
        if let registered = registry.entries.withLock({ $0[name] }) { return registered }
        if name == RESTByteFieldConverter.name {
            return { setup throws(ConfigError) in try RESTByteFieldConverter(setup) }
        }
        return nil
    }

    private final class Registry: Sendable {
        let entries = Mutex<[String: Factory]>([:])
    }
}
