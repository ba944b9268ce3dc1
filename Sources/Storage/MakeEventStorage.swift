import Logging

/// Builds the configured storage; relative paths resolve against `baseDirectory` (the gateway's
/// working directory). For sqlite, `data_file_path` is read as the reference reads it: the
/// directory part (up to the last `/`) holds `data.db`, so a backlog the Python gateway left
/// there is delivered; a file name after the last `/` is ignored with a warning.
public func makeEventStorage(_ configuration: StorageConfiguration, baseDirectory: String,
                             logger: Logger) throws -> any EventStorage {
    for adjustment in configuration.adjustments {
        logger.warning("storage: \(adjustment)")
    }
    switch configuration {
    case .memory(let memory):
        return MemoryEventStorage(configuration: memory, logger: logger)
    case .file(let file):
        let folder = FileSystem.resolve(file.dataFolderPath, against: baseDirectory)
        return try FileEventStorage(configuration: file, folder: folder, logger: logger)
    case .sqlite(let sqlite):
        let (path, ignoredName) = sqliteDatabasePath(sqlite, baseDirectory: baseDirectory)
        if let ignoredName {
            logger.warning("storage.data_file_path names a directory (ending with /); the database is always data.db there, as in the Python gateway",
                           metadata: ["data_file_path": "\(sqlite.dataFilePath)", "ignored": "\(ignoredName)", "database": "\(path)"])
        }
        for earlier in earlierSQLiteDatabasePaths(sqlite, baseDirectory: baseDirectory) where earlier != path && FileSystem.exists(earlier) {
            logger.error("SQLite storage: \(earlier) was written by an earlier version of this gateway, which read storage.data_file_path differently; its events are not delivered from there: stop the gateway and move it to \(path) (if that does not exist) to deliver them")
        }
        return try SQLiteEventStorage(configuration: sqlite, path: path, logger: logger)
    }
}

/// Where versions before 2026-11-24 kept the database: `data_file_path` itself when it ended in
/// `.db`, else `data.db` in it; `./data/data.db` without the key.
func earlierSQLiteDatabasePaths(_ configuration: StorageConfiguration.SQLite, baseDirectory: String) -> [String] {
    let resolved = FileSystem.resolve(configuration.dataFilePath, against: baseDirectory)
    var paths = [resolved.hasSuffix(".db") ? resolved : FileSystem.join(resolved, "data.db")]
    if configuration.dataFilePath == StorageConfiguration.SQLite().dataFilePath {
        paths.append(FileSystem.join(FileSystem.resolve("./data/", against: baseDirectory), "data.db"))
    }
    return paths
}

/// `<dirname(data_file_path)>/data.db`, as Python's `os.path.dirname` splits it, and the file
/// name that split ignores, if any.
func sqliteDatabasePath(_ configuration: StorageConfiguration.SQLite, baseDirectory: String) -> (path: String, ignoredName: String?) {
    let configured = configuration.dataFilePath
    let slash = configured.lastIndex(of: "/")
    let directory = slash.map { String(configured[...$0]) } ?? ""
    let name = slash.map { String(configured[configured.index(after: $0)...]) } ?? configured
    let resolved = directory.isEmpty ? baseDirectory : FileSystem.resolve(directory, against: baseDirectory)
    return (FileSystem.join(resolved, "data.db"), name.isEmpty ? nil : name)
}

extension StorageConfiguration {
    /// The folder a persistent storage writes to, resolved as `makeEventStorage` resolves it; nil
    /// for memory storage.
    public func folder(baseDirectory: String) -> String? {
        switch self {
        case .memory: return nil
        case .file(let file): return FileSystem.resolve(file.dataFolderPath, against: baseDirectory)
        case .sqlite(let sqlite): return FileSystem.parent(of: sqliteDatabasePath(sqlite, baseDirectory: baseDirectory).path)
        }
    }
}
