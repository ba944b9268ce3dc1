import GatewayKit

/// What to do when a cap (records, bytes, files, databases) would be exceeded.
public enum OverflowPolicy: String, Sendable, Equatable, CaseIterable {
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
        /// Values the reference accepts and this storage cannot use as given, with what was used
        /// instead (logged as warnings when the storage is made).
        public var adjustments: [String] = []
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
        /// The directory part (up to the last `/`) holds `data.db`; the reference's default.
        public var dataFilePath = "./"
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
        /// Values the reference accepts and this storage cannot use as given, with what was used
        /// instead (logged as warnings when the storage is made).
        public var adjustments: [String] = []
        public init() {}
    }

    public var limits: Limits {
        switch self {
        case .memory(let m): return m.limits
        case .file(let f): return f.limits
        case .sqlite(let s): return s.limits
        }
    }

    /// See `SQLite.adjustments`.
    public var adjustments: [String] {
        switch self {
        case .memory(let m): return m.adjustments
        case .file: return []
        case .sqlite(let s): return s.adjustments
        }
    }

    public init(json: JSONValue, file: String, keyPath: String = "storage") throws(ConfigError) {
        let reader = try ConfigReader(json, file: file, path: keyPath)
        let type = try reader.string("type", default: "memory")
        let limits = try Limits(reader)
        switch type {
        case "memory":
            var memory = Memory()
            memory.readRecordsCount = try reader.count("read_records_count", default: memory.readRecordsCount)
            if let count = try? reader.number("max_records_count"), count < 1 {
                // The reference's Queue(maxsize=0) is unbounded; a bounded default is kept instead.
                memory.adjustments.append("max_records_count \(count) means unbounded in the Python gateway; using \(memory.maxRecordsCount)")
            } else {
                memory.maxRecordsCount = try reader.count("max_records_count", default: memory.maxRecordsCount)
            }
            memory.limits = limits
            self = .memory(memory)
        case "file":
            var config = File()
            config.dataFolderPath = try reader.string("data_folder_path", default: config.dataFolderPath)
            config.maxFileCount = try reader.count("max_file_count", default: config.maxFileCount)
            config.maxRecordsPerFile = try reader.count("max_records_per_file", default: config.maxRecordsPerFile)
            config.maxRecordsBetweenFsync = try reader.count(
                "max_records_between_fsync", default: config.maxRecordsBetweenFsync)
            config.maxReadRecordsCount = try reader.count("max_read_records_count", default: config.maxReadRecordsCount)
            config.limits = limits
            self = .file(config)
        case "sqlite":
            var config = SQLite()
            config.dataFilePath = try reader.string("data_file_path", default: config.dataFilePath)
            // Values the reference takes (it raises size_limit and oversize_check_period to 1;
            // a TTL of 0 never expires anything there) are adjusted with a warning, not refused.
            var notes: [String] = []
            func atLeast(_ key: String, _ current: Double, floor: Double, using replacement: Double) throws(ConfigError) -> Double {
                guard let number = try reader.number(key) else { return current }
                if number >= floor { return number }
                notes.append("\(key) \(number) is too small; using \(replacement)")
                return replacement
            }
            config.messagesTTLCheckInHours = try atLeast("messages_ttl_check_in_hours", config.messagesTTLCheckInHours,
                                                         floor: .leastNonzeroMagnitude, using: 1)
            config.messagesTTLInDays = try atLeast("messages_ttl_in_days", config.messagesTTLInDays,
                                                   floor: .leastNonzeroMagnitude, using: 7)
            config.maxReadRecordsCount = try reader.count("max_read_records_count", default: config.maxReadRecordsCount)
            config.writingBatchSize = try reader.count("writing_batch_size", default: config.writingBatchSize)
            config.sizeLimit = try atLeast("size_limit", config.sizeLimit, floor: .leastNonzeroMagnitude, using: 1)
            if let amount = try? reader.number("max_db_amount"), amount < 1 {
                config.maxDBAmount = 1
                notes.append("max_db_amount \(amount) is too small; using 1")
            } else {
                config.maxDBAmount = try reader.count("max_db_amount", default: config.maxDBAmount)
            }
            config.oversizeCheckPeriod = try atLeast("oversize_check_period", config.oversizeCheckPeriod, floor: 1, using: 1)
            config.adjustments = notes
            config.limits = limits
            self = .sqlite(config)
        default:
            throw reader.failure("type", expected: "\"memory\", \"file\" or \"sqlite\"", found: .string(type))
        }
    }
}

extension StorageConfiguration.Limits {
    /// Our own optional keys, shared by every storage type.
    init(_ reader: ConfigReader) throws(ConfigError) {
        self.init()
        if reader.has("overflow") {
            let policy = try reader.choice("overflow", of: OverflowPolicy.allCases.map(\.rawValue), default: nil)
            overflow = OverflowPolicy(rawValue: policy) ?? overflow
        }
        maxBytes = try reader.int64("max_bytes", in: 1...Int64.max) ?? maxBytes
        ttlSeconds = try reader.int64("ttl_seconds", in: 1...Int64.max) ?? ttlSeconds
    }
}

private extension ConfigReader {
    /// A count such as a record or file limit: at least 1, and small enough for any platform.
    func count(_ key: String, default defaultValue: Int) throws(ConfigError) -> Int {
        try int(key, default: defaultValue, in: 1...Int(Int32.max))
    }
}
