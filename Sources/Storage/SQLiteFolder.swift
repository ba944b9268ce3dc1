/// Names of the sqlite storage's databases: the base file `data.db` and the rotated `data_<epochMillis>.db` files beside it, as the reference names them.
enum SQLiteFolder {
    static func rotatedName(_ millis: Int64) -> String { "data_\(millis).db" }

    /// The epoch ms in a rotated database's name, nil for any other name.
    static func rotatedKey(_ name: String) -> Int64? {
        guard name.hasPrefix("data_"), name.hasSuffix(".db"),
              let millis = Int64(name.dropFirst(5).dropLast(3)), millis > 0 else { return nil }
        return millis
    }

    /// Every database to read, oldest first, with its ordering key: the base file (key 0) is the
    /// oldest (the reference rotates away from it), then the rotated files by the ms in their
    /// names. With none on disk, the base file (to be created).
    static func databases(base: String, directory: String) throws -> [(key: Int64, path: String)] {
        let baseName = FileSystem.name(of: base)
        var found: [(key: Int64, path: String)] = []
        if FileSystem.exists(base) { found.append((key: 0, path: base)) }
        for name in try FileSystem.list(directory) where name != baseName {
            if let key = rotatedKey(name) { found.append((key, FileSystem.join(directory, name))) }
        }
        found.sort { $0.key < $1.key }
        return found.isEmpty ? [(key: Int64(0), path: base)] : found
    }
}
