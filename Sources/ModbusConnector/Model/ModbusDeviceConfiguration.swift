import GatewayKit

/// One polled device (an entry of `master.slaves`), with the reference's defaults and minimums.
public struct ModbusDeviceConfiguration: Sendable {
    public var deviceName: String
    public var deviceType: String
    public var unitId: UInt8
    public var connection: ModbusConnectionSettings
    /// `timeout` (seconds, default 30): per request and per connect attempt.
    public var timeout: Duration
    /// `retries` (default 3; true ⇒ 3, false ⇒ 0).
    public var retries: Int
    /// `pollPeriod` (ms, default 5000).
    public var pollPeriod: Duration
    /// `connectAttemptTimeMs` (≥ 500): pause between connect attempts.
    public var connectAttemptTime: Duration
    /// `connectAttemptCount` (≥ 2): attempts before waiting `waitAfterFailedAttempts`.
    public var connectAttemptCount: Int
    /// `waitAfterFailedAttemptsMs` (≥ 30000).
    public var waitAfterFailedAttempts: Duration
    /// `delayBetweenRequestsMs` (default 0): minimum gap between two requests on the connection.
    public var delayBetweenRequests: Duration
    public var byteOrder: ModbusOrder
    public var wordOrder: ModbusOrder
    public var reportStrategy: ReportStrategy?
    public var attributes: [ModbusReadItem]
    public var timeseries: [ModbusReadItem]
    public var attributeUpdates: [ModbusWriteItem]
    public var rpc: [ModbusRPCItem]

    public init(deviceName: String, deviceType: String = "default", unitId: UInt8,
                connection: ModbusConnectionSettings, timeout: Duration = .seconds(30), retries: Int = 3,
                pollPeriod: Duration = .milliseconds(5000), connectAttemptTime: Duration = .milliseconds(500),
                connectAttemptCount: Int = 2, waitAfterFailedAttempts: Duration = .milliseconds(30000),
                delayBetweenRequests: Duration = .zero, byteOrder: ModbusOrder = .little,
                wordOrder: ModbusOrder = .little, reportStrategy: ReportStrategy? = nil,
                attributes: [ModbusReadItem] = [], timeseries: [ModbusReadItem] = [],
                attributeUpdates: [ModbusWriteItem] = [], rpc: [ModbusRPCItem] = []) {
        self.deviceName = deviceName
        self.deviceType = deviceType
        self.unitId = unitId
        self.connection = connection
        self.timeout = timeout
        self.retries = retries
        self.pollPeriod = pollPeriod
        self.connectAttemptTime = connectAttemptTime
        self.connectAttemptCount = connectAttemptCount
        self.waitAfterFailedAttempts = waitAfterFailedAttempts
        self.delayBetweenRequests = delayBetweenRequests
        self.byteOrder = byteOrder
        self.wordOrder = wordOrder
        self.reportStrategy = reportStrategy
        self.attributes = attributes
        self.timeseries = timeseries
        self.attributeUpdates = attributeUpdates
        self.rpc = rpc
    }

    /// Every polled item, attributes first: the indices a `ModbusReadPlan` built from
    /// `attributes + timeseries` refers to.
    public var readItems: [ModbusReadItem] { attributes + timeseries }

    /// The device's poll as a plan over `readItems` (build once, reuse every poll).
    public func readPlan(maxRegisters: Int = ModbusReadPlan.maxRegistersPerRead,
                         maxBits: Int = ModbusReadPlan.maxBitsPerRead, maxGap: Int = 0) -> ModbusReadPlan {
        ModbusReadPlan(items: readItems, maxRegisters: maxRegisters, maxBits: maxBits, maxGap: maxGap)
    }

    public func attributeUpdate(forKey key: String) -> ModbusWriteItem? {
        attributeUpdates.first { $0.key == key }
    }

    /// The first RPC configured under `method`, as the reference picks it.
    public func rpcItem(forMethod method: String) -> ModbusRPCItem? {
        rpc.first { $0.method == method }
    }

    /// Parses one device entry. Values below a minimum are raised to it with a note in
    /// `warnings`; unsupported keys the reference also ignores are accepted.
    public init(_ reader: ConfigReader, warnings: inout [String]) throws(ConfigError) {
        deviceName = try reader.string("deviceName", default: nil)
        deviceType = try reader.string("deviceType", default: "default")
        unitId = UInt8(try reader.int("unitId", default: nil, in: 0 ... 255))
        connection = try ModbusConnectionSettings(reader, tlsKey: "tls", defaultHost: "127.0.0.1", defaultPort: 502)
        let timeoutSeconds = try reader.number("timeout", default: 30, positive: true)
        timeout = .milliseconds(Int64((timeoutSeconds * 1000).rounded()))
        retries = try Self.retries(reader)
        pollPeriod = .milliseconds(try reader.int64("pollPeriod", default: 5000, in: 1 ... Int64(Int32.max)))
        connectAttemptTime = .milliseconds(try Self.atLeast(reader, "connectAttemptTimeMs", 500, &warnings))
        connectAttemptCount = Int(try Self.atLeast(reader, "connectAttemptCount", 2, &warnings))
        waitAfterFailedAttempts = .milliseconds(try Self.atLeast(reader, "waitAfterFailedAttemptsMs", 30000, &warnings))
        delayBetweenRequests = .milliseconds(try reader.int64("delayBetweenRequestsMs", default: 0,
                                                              in: 0 ... Int64(Int32.max)))
        byteOrder = ModbusOrder(configValue: try reader.string("byteOrder", default: "LITTLE"))
        wordOrder = ModbusOrder(configValue: try reader.string("wordOrder", default: "LITTLE"))
        reportStrategy = try ReportStrategy.parse(in: reader)
        // Accepted for compatibility, no effect (as in the reference's connector):
        // retryOnEmpty, retryOnInvalid, sendDataOnlyOnChange.
        _ = try reader.bool("retryOnEmpty")
        _ = try reader.bool("retryOnInvalid")
        _ = try reader.bool("sendDataOnlyOnChange")
        for key in ["uplink_converter", "downlink_converter"] where reader.has(key) {
            warnings.append("\(reader.file): \(reader.keyPath(key)): custom Python converters are not supported; "
                + "the built-in bytes converter is used")
        }
        let context = ModbusItemContext(unitId: unitId, byteOrder: byteOrder, wordOrder: wordOrder,
                                        repack: try reader.bool("repack", default: false))
        var attributes: [ModbusReadItem] = []
        for item in try reader.objects("attributes") {
            attributes += try context.readItems(item, warnings: &warnings)
        }
        var timeseries: [ModbusReadItem] = []
        for item in try reader.objects("timeseries") {
            timeseries += try context.readItems(item, warnings: &warnings)
        }
        var updates: [ModbusWriteItem] = []
        for item in try reader.objects("attributeUpdates") {
            if let write = try context.writeItem(item, warnings: &warnings) { updates.append(write) }
        }
        self.attributes = attributes
        self.timeseries = timeseries
        self.attributeUpdates = updates
        self.rpc = try Self.rpcItems(reader, context: context, warnings: &warnings)
    }

    /// `rpc` is a list of items keyed by `tag`, or (older configs) an object method → item.
    private static func rpcItems(_ reader: ConfigReader, context: ModbusItemContext,
                                 warnings: inout [String]) throws(ConfigError) -> [ModbusRPCItem] {
        var items: [ModbusRPCItem] = []
        if let byMethod = try? reader.child("rpc") {
            for (method, _) in byMethod.object {
                guard let entry = try byMethod.child(method) else { continue }
                if let item = try context.rpcItem(entry, method: method, warnings: &warnings) { items.append(item) }
            }
            return items
        }
        for entry in try reader.objects("rpc") {
            let method = try entry.string("tag", default: nil)
            if let item = try context.rpcItem(entry, method: method, warnings: &warnings) { items.append(item) }
        }
        return items
    }

    /// `retries`: a bool (true ⇒ 3, false ⇒ 0) or a non-negative integer.
    private static func retries(_ reader: ConfigReader) throws(ConfigError) -> Int {
        guard let value = reader.value("retries") else { return 3 }
        if let flag = value.boolValue { return flag ? 3 : 0 }
        guard let count = value.intValue, count >= 0, count <= 1000 else {
            throw reader.failure("retries", expected: "true, false or an integer from 0 to 1000", found: value)
        }
        return Int(count)
    }

    /// The reference silently raises these to their minimum; we do the same and say so.
    private static func atLeast(_ reader: ConfigReader, _ key: String, _ minimum: Int64,
                                _ warnings: inout [String]) throws(ConfigError) -> Int64 {
        guard let value = try reader.int64(key, in: Int64(Int32.min) ... Int64(Int32.max)) else { return minimum }
        if value < minimum {
            warnings.append("\(reader.file): \(reader.keyPath(key)): \(value) is below the minimum; using \(minimum)")
            return minimum
        }
        return value
    }
}
