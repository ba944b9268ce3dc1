import Logging

/// Who a connector is: the `name` is unique in a gateway and is the key everywhere (device
/// ownership, statistics, remote configuration); `type` is the registry key ("mqtt", "simulator").
public struct ConnectorIdentity: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var type: String
    public var id: String

    public init(name: String, type: String, id: String) {
        self.name = name
        self.type = type
        self.id = id
    }

    public var description: String { "\(type) connector '\(name)'" }
}

/// What a connector may ask of the gateway.
public protocol GatewayContext: Sendable {
    /// Hands one device's converted readings to the gateway (device filter, report strategy,
    /// storage). Suspends while storage applies back-pressure; never drops silently. With file or
    /// sqlite storage it returns after the write (a crash then loses nothing); with memory
    /// storage, where a write guarantees nothing, once the readings are queued.
    nonisolated(nonsending) func send(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome
    /// Like `send`, but returns once the readings are queued for storage (in call order) instead
    /// of after the write: for a connector that has nothing to do with the outcome of the write
    /// (its peer was already acknowledged) and must not let one write's round trip pace its
    /// stream. Suspends only while the gateway's write queue is full (back-pressure). The outcome
    /// covers what is known at once (validation); a later storage failure is counted and logged
    /// by the gateway.
    nonisolated(nonsending) func submit(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome
    /// Like `submit`, and calls `whenStored` once: after the write with file or sqlite storage (a
    /// `kill -9` after it loses nothing), at once when there is nothing to write (held back by a
    /// report strategy, refused as invalid) or with memory storage. For a connector that
    /// acknowledges its source only for data a crash cannot lose. It may run on the gateway's
    /// writer: it must only hand the notice on, never wait.
    nonisolated(nonsending) func submit(_ data: ConvertedData, from connector: ConnectorIdentity,
                                        whenStored: @escaping @Sendable (StoreNotice) -> Void) async -> SendOutcome
    /// Like `send` for several readings at once, in order, with one wait for the write that
    /// covers them all (a connector that gathers many small requests, such as the REST server,
    /// pays one round trip instead of one each). One outcome per element.
    nonisolated(nonsending) func sendAll(_ batch: [ConvertedData], from connector: ConnectorIdentity) async -> [SendOutcome]
    /// Announces a device (`v1/gateway/connect`) and records the connector as its owner, so its
    /// RPCs and attribute updates reach the connector (a device also becomes the connector's when
    /// it sends data).
    func connectDevice(_ name: String, type: String, from connector: ConnectorIdentity) async
    /// Announces that a device went away (`v1/gateway/disconnect`).
    func disconnectDevice(_ name: String, from connector: ConnectorIdentity) async
    /// Asks ThingsBoard for a device's attributes; returns them by key.
    func requestAttributes(_ request: AttributeRequest, from connector: ConnectorIdentity) async throws(GatewayRequestError) -> JSONObject
}

extension GatewayContext {
    /// Contexts without a write queue (test doubles) simply send.
    public nonisolated(nonsending) func submit(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome {
        await send(data, from: connector)
    }

    /// Contexts without a write queue (test doubles): `send` returns after the write. Any refusal
    /// counts as not stored here (such a context cannot tell invalid data from a failed write).
    public nonisolated(nonsending) func submit(_ data: ConvertedData, from connector: ConnectorIdentity,
                                               whenStored: @escaping @Sendable (StoreNotice) -> Void) async -> SendOutcome {
        let outcome = await send(data, from: connector)
        switch outcome {
        case .accepted: whenStored(.taken)
        case .rejected(let reason): whenStored(.notStored(reason))
        }
        return outcome
    }

    /// Contexts without a write queue (test doubles) send one after the other.
    public nonisolated(nonsending) func sendAll(_ batch: [ConvertedData], from connector: ConnectorIdentity) async
        -> [SendOutcome]
    {
        var outcomes: [SendOutcome] = []
        outcomes.reserveCapacity(batch.count)
        for data in batch { outcomes.append(await send(data, from: connector)) }
        return outcomes
    }
}

/// What `GatewayContext.submit(_:from:whenStored:)` says once it is done with the readings.
public enum StoreNotice: Sendable, Equatable {
    /// Written to storage, or nothing was to be written: held back by a report strategy, refused as
    /// invalid (it would be refused again), left out by the device filter, or memory storage.
    case taken
    /// Queued but not written (a storage error, a full storage's refusal, the gateway stopping):
    /// the source should keep the data.
    case notStored(String)
}

public enum SendOutcome: Sendable, Equatable {
    case accepted
    /// Nothing was stored; the reason is for the connector's log.
    case rejected(String)
}

/// A running connector: mechanism only. Restart and back-off policy belong to its supervisor.
public protocol Connector: Sendable {
    var identity: ConnectorIdentity { get }
    /// Runs until the surrounding task is cancelled (a graceful stop) or a fatal error is thrown.
    func run() async throws
    /// Traffic so far; nil when the connector does not count it.
    func traffic() -> ConnectorTraffic?
    /// Parts of its configuration the connector leaves out or cannot honour (a mapping whose
    /// custom converter nobody registered, Python code it does not run...): the connector logs
    /// them when it starts, and `check-config` lists them, so a migration finds them up front.
    var configurationWarnings: [String] { get }
}

extension Connector {
    public func traffic() -> ConnectorTraffic? { nil }
    public var configurationWarnings: [String] { [] }
}

/// Everything a connector factory gets to build one connector from its configuration file.
public struct ConnectorSetup: Sendable {
    public var identity: ConnectorIdentity
    /// The parsed connector configuration file (the whole JSON document).
    public var configuration: JSONValue
    /// The file the configuration came from, for error messages.
    public var configurationFile: String
    public var context: any GatewayContext
    public var logger: Logger
    /// For what the connector's converters say about the data they convert (a payload that
    /// cannot be converted...): the reference's `<name>_converter` logger, with a log file of its own.
    public var converterLogger: Logger

    public init(identity: ConnectorIdentity, configuration: JSONValue, configurationFile: String,
                context: any GatewayContext, logger: Logger, converterLogger: Logger? = nil) {
        self.identity = identity
        self.configuration = configuration
        self.configurationFile = configurationFile
        self.context = context
        self.logger = logger
        self.converterLogger = converterLogger ?? logger
    }
}

/// A built-in connector type. The list of them lives in one registry file in GatewayCore.
public protocol ConnectorFactory: Sendable {
    static var type: String { get }
    /// Validates the configuration and builds the connector; throws `ConfigError` on bad input.
    static func make(_ setup: ConnectorSetup) throws -> any Connector
    /// What the connector makes of one message, without I/O (`MessageTrial`); nil when its data
    /// does not come from messages. Throws `ConfigError` on a bad configuration.
    static func messageTrial(configuration: JSONValue, file: String) throws -> (any MessageTrial)?
    /// Whether `messageTrial` gives one (for listing the types `iot-gateway convert` takes).
    static var offersMessageTrial: Bool { get }
}
