import GatewayKit
import Logging
import Synchronization

/// One record of a polled answer: the whole answer, or one element of it when the answer (or
/// what `dataUnpackExpression` selects) is an array.
public struct RequestRecord: Sendable {
    /// The URL that was polled.
    public var url: String
    /// The record as JSON; nil when the answer is not JSON (then `body` holds it).
    public var json: JSONValue?
    /// The raw answer (the whole body, also for each element of an array).
    public var body: [UInt8]
    /// When the answer arrived, milliseconds since the Unix epoch.
    public var receivedAt: Int64

    public init(url: String, json: JSONValue?, body: [UInt8], receivedAt: Int64) {
        self.url = url
        self.json = json
        self.body = body
        self.receivedAt = receivedAt
    }
}

/// Turns one polled record into device readings. Implement it for a `custom` converter and
/// register it by name with `RequestCustomConverters`.
public protocol RequestUplinkConverter: Sendable {
    /// The readings in `record`; empty when it holds none. Throw when the record cannot be
    /// converted: the error is counted and logged (once per burst) with the mapping's URL.
    func convert(_ record: RequestRecord) throws -> [ConvertedData]
}

/// What a custom converter factory gets: the mapping's `converter` object and its
/// `extension-config`, so one converter type can serve differently configured mappings.
public struct RequestCustomConverterSetup: Sendable {
    /// The `extension` name the mapping asked for.
    public var name: String
    /// The whole `converter` object (read options with `ConfigReader`; errors name the key path).
    public var converter: ConfigReader
    /// `converter.extension-config` (also accepted as `extensionConfig`), or nil.
    public var extensionConfig: JSONValue?
    /// The mapping's own report strategy (`mapping[i].reportStrategy`), if any.
    public var reportStrategy: ReportStrategy?
    /// The connector's converter logger (the reference's `<connector name>_converter`): what a
    /// custom converter logs goes to `<name>_converter.log` and, with `enableRemoteLogging`, to
    /// ThingsBoard as `<name>_converter_LOGS`.
    public var logger: Logger
}

/// The process-wide list of custom uplink converters of the Request connector, by the name a
/// config's `converter.extension` uses. Register before the gateway starts its connectors:
///
/// ```swift
/// RequestCustomConverters.register("MyMeterConverter") { setup in
///     try MyMeterConverter(setup)
/// }
/// ```
///
/// `CustomRequestUplinkConverter` (the reference's example: byte fields of a hex string) is
/// built in; registering the same name replaces it.
public enum RequestCustomConverters {
    public typealias Factory = @Sendable (RequestCustomConverterSetup) throws -> any RequestUplinkConverter

    private static let registry = Registry()

    /// Adds (or replaces) the converter called `name`.
    public static func register(_ name: String, factory: @escaping Factory) {
        registry.entries.withLock { $0[name] = factory }
    }

    public static func unregister(_ name: String) {
        registry.entries.withLock { _ = $0.removeValue(forKey: name) }
    }

    /// Registered and built-in names.
    public static var availableNames: [String] {
        Set(registry.entries.withLock { Array($0.keys) } + builtIn.keys).sorted()
    }

    static func factory(named name: String) -> Factory? {
        registry.entries.withLock { $0[name] } ?? builtIn[name]
    }

    private static let builtIn: [String: Factory] = [
        HexFieldsRequestConverter.name: { setup in try HexFieldsRequestConverter(setup) },
    ]

    private final class Registry: Sendable {
        let entries = Mutex<[String: Factory]>([:])
    }
}
