import GatewayKit
@testable import Storage
import Testing

@Suite struct StorageConfigurationTests {
    private func parse(_ json: JSONValue) throws(ConfigError) -> StorageConfiguration {
        try StorageConfiguration(json: json, file: "tb_gateway.json")
    }

    @Test func memoryDefaultsAreTheReferences() throws {
        guard case .memory(let memory) = try parse(["type": "memory"]) else { Issue.record("not memory"); return }
        #expect(memory.readRecordsCount == 1000)
        #expect(memory.maxRecordsCount == 10000)
        #expect(memory.limits == StorageConfiguration.Limits())
    }

    @Test func fileKeysAreRead() throws {
        let json: JSONValue = ["type": "file", "data_folder_path": "./d/", "max_file_count": 7,
                               "max_records_per_file": 3, "max_records_between_fsync": 10,
                               "max_read_records_count": 50, "overflow": "rejectNewest"]
        guard case .file(let file) = try parse(json) else { Issue.record("not file"); return }
        #expect(file.dataFolderPath == "./d/")
        #expect(file.maxFileCount == 7)
        #expect(file.maxRecordsPerFile == 3)
        #expect(file.maxRecordsBetweenFsync == 10)
        #expect(file.maxReadRecordsCount == 50)
        #expect(file.limits.overflow == .rejectNewest)
    }

    @Test func fileDefaultsRecordsPerFileTo10000() throws {
        guard case .file(let file) = try parse(["type": "file"]) else { Issue.record("not file"); return }
        #expect(file.maxRecordsPerFile == 10000)
        #expect(file.dataFolderPath == "./data/")
        #expect(file.maxFileCount == 5)
    }

    @Test func sqliteDefaultsAndKeys() throws {
        guard case .sqlite(let defaults) = try parse(["type": "sqlite"]) else { Issue.record("not sqlite"); return }
        #expect(defaults.dataFilePath == "./")
        #expect(defaults.messagesTTLInDays == 7)
        #expect(defaults.messagesTTLCheckInHours == 1)
        #expect(defaults.sizeLimit == 1024)
        #expect(defaults.maxDBAmount == 10)
        #expect(defaults.writingBatchSize == 1000)
        #expect(defaults.oversizeCheckPeriod == 1)
        let json: JSONValue = ["type": "sqlite", "size_limit": 0.5, "max_db_amount": 2, "ttl_seconds": 60,
                               "max_bytes": 5_000_000_000]
        guard case .sqlite(let custom) = try parse(json) else { Issue.record("not sqlite"); return }
        #expect(custom.sizeLimit == 0.5)
        #expect(custom.maxDBAmount == 2)
        #expect(custom.limits.ttlSeconds == 60)
        #expect(custom.limits.maxBytes == 5_000_000_000)
    }

    /// Where the Python gateway keeps its database (`os.path.dirname(data_file_path)/data.db`),
    /// so its backlog is found after a migration.
    @Test func sqliteDataFilePathIsReadAsThePythonGatewayReadsIt() {
        func path(_ configured: String) -> (String, String?) {
            var sqlite = StorageConfiguration.SQLite()
            sqlite.dataFilePath = configured
            let result = sqliteDatabasePath(sqlite, baseDirectory: "/var/lib/gw")
            return (result.path, result.ignoredName)
        }
        #expect(path("./") == ("/var/lib/gw/data.db", nil))
        #expect(path("./data/") == ("/var/lib/gw/data/data.db", nil))
        #expect(path("./data") == ("/var/lib/gw/data.db", "data"))
        #expect(path("./data/gw.db") == ("/var/lib/gw/data/data.db", "gw.db"))
        #expect(path("data/") == ("/var/lib/gw/data/data.db", nil))
        #expect(path("/srv/tb/") == ("/srv/tb/data.db", nil))
        #expect(path("storage") == ("/var/lib/gw/data.db", "storage"))

        // Where earlier versions of this gateway kept it, to point an upgraded install at its backlog.
        func earlier(_ configured: String) -> [String] {
            var sqlite = StorageConfiguration.SQLite()
            sqlite.dataFilePath = configured
            return earlierSQLiteDatabasePaths(sqlite, baseDirectory: "/var/lib/gw")
        }
        #expect(earlier("./data/gw.db") == ["/var/lib/gw/data/gw.db"])
        #expect(earlier("./data") == ["/var/lib/gw/data/data.db"])
        #expect(earlier("./") == ["/var/lib/gw/data.db", "/var/lib/gw/data/data.db"])
    }

    /// Values the Python gateway takes start the gateway too, adjusted with a warning.
    @Test func valuesThePythonGatewayTakesAreAdjustedNotRefused() throws {
        let json: JSONValue = ["type": "sqlite", "size_limit": 0, "oversize_check_period": 0, "messages_ttl_in_days": 0,
                               "messages_ttl_check_in_hours": -1, "max_db_amount": 0]
        guard case .sqlite(let sqlite) = try parse(json) else { Issue.record("not sqlite"); return }
        #expect(sqlite.sizeLimit == 1 && sqlite.oversizeCheckPeriod == 1 && sqlite.messagesTTLInDays == 7)
        #expect(sqlite.messagesTTLCheckInHours == 1 && sqlite.maxDBAmount == 1)
        #expect(sqlite.adjustments.count == 5, "\(sqlite.adjustments)")
        guard case .memory(let memory) = try parse(["type": "memory", "max_records_count": 0]) else { Issue.record("not memory"); return }
        #expect(memory.maxRecordsCount == 10000 && memory.adjustments.count == 1)
        #expect(throws: ConfigError.self) { try parse(["type": "sqlite", "size_limit": "big"]) }
    }

    @Test func aMissingTypeMeansMemory() throws {
        #expect(try parse([:]) == .memory(StorageConfiguration.Memory()))
    }

    @Test func wrongTypesNameTheKeyPath() {
        #expect(throws: ConfigError(file: "tb_gateway.json", keyPath: "storage.max_records_count",
                                    expected: "an integer >= 1", found: "\"many\"")) {
            try parse(["type": "memory", "max_records_count": "many"])
        }
        #expect(throws: ConfigError(file: "tb_gateway.json", keyPath: "storage.max_file_count",
                                    expected: "an integer >= 1", found: "0")) {
            try parse(["type": "file", "max_file_count": 0])
        }
        #expect(throws: ConfigError(file: "tb_gateway.json", keyPath: "storage.overflow",
                                    expected: "one of \"dropOldest\", \"rejectNewest\"", found: "\"sometimes\"")) {
            try parse(["type": "memory", "overflow": "sometimes"])
        }
        #expect(throws: ConfigError(file: "tb_gateway.json", keyPath: "storage.type",
                                    expected: "\"memory\", \"file\" or \"sqlite\"", found: "\"redis\"")) {
            try parse(["type": "redis"])
        }
        #expect(throws: ConfigError(file: "tb_gateway.json", keyPath: "storage",
                                    expected: "an object", found: "[1,2]")) {
            try parse([1, 2])
        }
    }
}
