import GatewayKit

/// What to do when a cap (records, bytes, files, databases) would be exceeded.
public enum OverflowPolicy: String, Sendable, Equatable {
    /// Evict the oldest unacknowledged events to make room (default: fresh data matters most).
    case dropOldest
    /// Refuse the new events, as the reference does ("Memory storage is full!").
    case rejectNewest
}

/// The `storage` section of tb_gateway.json with the reference's keys and defaults (see README.md).
public enum StorageConfiguration: Sendable, Equatable {
    case memory(Memory)
    case file(File)
    case sqlite(SQLite)

    /// Caps shared by every type (our own keys, absent from the reference).
    public struct Limits: Sendable, Equatable {
        public var overflow: OverflowPolicy = .dropOldest
        /// Total bytes of stored events, nil = no byte cap.
        public var maxBytes: Int64?
        /// Events older than this are expired (counted as dropped), nil = never.
        public var ttlSeconds: Int64?
        public init(overflow: OverflowPolicy = .dropOldest, maxBytes: Int64? = nil, ttlSeconds: Int64? = nil) {
            self.overflow = overflow
            self.maxBytes = maxBytes
            self.ttlSeconds = ttlSeconds
        }
    }

    public struct Memory: Sendable, Equatable {
        public var readRecordsCount = 1000
        public var maxRecordsCount = 10000
        public var limits = Limits()
        public init() {}
    }

    public struct File: Sendable, Equatable {
        public var dataFolderPath = "./data/"
        public var maxFileCount = 5
        /// The reference defaults to 3, which makes one file per 3 events; we default to 10000.
        public var maxRecordsPerFile = 10000
        public var maxRecordsBetweenFsync = 1
        public var maxReadRecordsCount = 1000
        public var limits = Limits()
        public init() {}
    }

    public struct SQLite: Sendable, Equatable {
        /// A directory (the DB is `data.db` inside) or a path ending in `.db` naming the file itself.
        public var dataFilePath = "./data/"
        public var messagesTTLCheckInHours: Double = 1
        public var messagesTTLInDays: Double = 7
        public var maxReadRecordsCount = 1000
        public var writingBatchSize = 1000
        /// MB.
        public var sizeLimit: Double = 1024
        public var maxDBAmount = 10
        /// Minutes.
        public var oversizeCheckPeriod: Double = 1
        public var limits = Limits()
        public init() {}
    }

    public var limits: Limits {
        switch self {
        case .memory(let m): return m.limits
        case .file(let f): return f.limits
        case .sqlite(let s): return s.limits
        }
    }

    public init(json: JSONValue, file: String, keyPath: String = "storage") throws(ConfigError) {
        guard let object = json.objectValue else {
            throw ConfigError(file: file, keyPath: keyPath, expected: "an object", found: json.kindName)
        }
        let reader = KeyReader(object: object, file: file, keyPath: keyPath)
        let type = try reader.string("type", default: "memory")
        let limits = try reader.limits()
        switch type {
        case "memory":
            var memory = Memory()
            memory.readRecordsCount = try reader.positiveInt("read_records_count", default: memory.readRecordsCount)
            memory.maxRecordsCount = try reader.positiveInt("max_records_count", default: memory.maxRecordsCount)
            memory.limits = limits
            self = .memory(memory)
        case "file":
            var config = File()
            config.dataFolderPath = try reader.string("data_folder_path", default: config.dataFolderPath)
            config.maxFileCount = try reader.positiveInt("max_file_count", default: config.maxFileCount)
            config.maxRecordsPerFile = try reader.positiveInt("max_records_per_file", default: config.maxRecordsPerFile)
            config.maxRecordsBetweenFsync = try reader.positiveInt(
                "max_records_between_fsync", default: config.maxRecordsBetweenFsync)
            config.maxReadRecordsCount = try reader.positiveInt(
                "max_read_records_count", default: config.maxReadRecordsCount)
            config.limits = limits
            self = .file(config)
        case "sqlite":
            var config = SQLite()
            config.dataFilePath = try reader.string("data_file_path", default: config.dataFilePath)
            config.messagesTTLCheckInHours = try reader.positiveNumber(
                "messages_ttl_check_in_hours", default: config.messagesTTLCheckInHours)
            config.messagesTTLInDays = try reader.positiveNumber("messages_ttl_in_days", default: config.messagesTTLInDays)
            config.maxReadRecordsCount = try reader.positiveInt(
                "max_read_records_count", default: config.maxReadRecordsCount)
            config.writingBatchSize = try reader.positiveInt("writing_batch_size", default: config.writingBatchSize)
            config.sizeLimit = try reader.positiveNumber("size_limit", default: config.sizeLimit)
            config.maxDBAmount = try reader.positiveInt("max_db_amount", default: config.maxDBAmount)
            config.oversizeCheckPeriod = try reader.positiveNumber(
                "oversize_check_period", default: config.oversizeCheckPeriod)
            config.limits = limits
            self = .sqlite(config)
        default:
            throw ConfigError(file: file, keyPath: reader.path("type"),
                              expected: "\"memory\", \"file\" or \"sqlite\"", found: "\"\(type)\"")
        }
    }
}

/// Typed reads of one config object, errors naming the full key path.
private struct KeyReader {
    let object: JSONObject
    let file: String
    let keyPath: String

    func path(_ key: String) -> String { keyPath.isEmpty ? key : "\(keyPath).\(key)" }

    func string(_ key: String, default value: String) throws(ConfigError) -> String {
        guard let raw = object[key], !raw.isNull else { return value }
        guard let string = raw.stringValue, !string.isEmpty else {
            throw ConfigError(file: file, keyPath: path(key), expected: "a non-empty string", found: raw.kindName)
        }
        return string
    }

    func positiveInt(_ key: String, default value: Int) throws(ConfigError) -> Int {
        guard let raw = object[key], !raw.isNull else { return value }
        guard let number = raw.intValue else {
            throw ConfigError(file: file, keyPath: path(key), expected: "a whole number", found: describe(raw))
        }
        guard number > 0, number <= Int64(Int32.max) else {
            throw ConfigError(file: file, keyPath: path(key), expected: "a number greater than 0", found: "\(number)")
        }
        return Int(number)
    }

    func positiveNumber(_ key: String, default value: Double) throws(ConfigError) -> Double {
        guard let raw = object[key], !raw.isNull else { return value }
        guard let number = raw.doubleValue else {
            throw ConfigError(file: file, keyPath: path(key), expected: "a number", found: describe(raw))
        }
        guard number > 0, number.isFinite else {
            throw ConfigError(file: file, keyPath: path(key), expected: "a number greater than 0", found: "\(number)")
        }
        return number
    }

    func limits() throws(ConfigError) -> StorageConfiguration.Limits {
        var limits = StorageConfiguration.Limits()
        if let raw = object["overflow"], !raw.isNull {
            guard let text = raw.stringValue, let policy = OverflowPolicy(rawValue: text) else {
                throw ConfigError(file: file, keyPath: path("overflow"),
                                  expected: "\"dropOldest\" or \"rejectNewest\"", found: describe(raw))
            }
            limits.overflow = policy
        }
        if object["max_bytes"] != nil, object["max_bytes"]?.isNull == false {
            guard let value = object["max_bytes"]?.intValue, value > 0 else {
                throw ConfigError(file: file, keyPath: path("max_bytes"), expected: "a whole number greater than 0",
                                  found: describe(object["max_bytes"]!))
            }
            limits.maxBytes = value
        }
        if object["ttl_seconds"] != nil, object["ttl_seconds"]?.isNull == false {
            limits.ttlSeconds = Int64(try positiveInt("ttl_seconds", default: 0))
        }
        return limits
    }

    private func describe(_ value: JSONValue) -> String {
        if case .string(let s) = value { return "\"\(s)\"" }
        return value.kindName
    }
}
