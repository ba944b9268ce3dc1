import Storage

extension StorageConfiguration {
    /// Whether stored events outlive the process (file, sqlite).
    public var isPersistent: Bool {
        if case .memory = self { return false }
        return true
    }

    /// "memory", "file" or "sqlite", for logs and the configuration summary.
    public var typeName: String {
        switch self {
        case .memory: return "memory"
        case .file: return "file"
        case .sqlite: return "sqlite"
        }
    }

    /// How many events the uplink reads per pack (the reference's read-count keys).
    public var readPackSize: Int {
        switch self {
        case .memory(let memory): return memory.readRecordsCount
        case .file(let file): return file.maxReadRecordsCount
        case .sqlite(let sqlite): return sqlite.maxReadRecordsCount
        }
    }
}
