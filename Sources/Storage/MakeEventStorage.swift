import Logging

/// Builds the configured storage; relative paths resolve against `baseDirectory` (the gateway's
/// working directory). For sqlite, `data_file_path` names a directory holding `data.db`, or the
/// database file itself when it ends in `.db`.
public func makeEventStorage(_ configuration: StorageConfiguration, baseDirectory: String,
                             logger: Logger) throws -> any EventStorage {
    switch configuration {
    case .memory(let memory):
        return MemoryEventStorage(configuration: memory, logger: logger)
    case .file(let file):
        let folder = FileSystem.resolve(file.dataFolderPath, against: baseDirectory)
        return try FileEventStorage(configuration: file, folder: folder, logger: logger)
    case .sqlite(let sqlite):
        return try SQLiteEventStorage(configuration: sqlite, path: sqliteDatabasePath(sqlite, baseDirectory: baseDirectory),
                                      logger: logger)
    }
}

func sqliteDatabasePath(_ configuration: StorageConfiguration.SQLite, baseDirectory: String) -> String {
    let resolved = FileSystem.resolve(configuration.dataFilePath, against: baseDirectory)
    return resolved.hasSuffix(".db") ? resolved : FileSystem.join(resolved, "data.db")
}
