import Foundation
import GatewayKit

/// Rewrites the configuration directory's files for remote configuration, as the reference does:
/// the old file is copied to `backup/<file>.backup.<unixSeconds>.json` first (at most 10 kept per
/// file), then the new content is written atomically, indented.
struct ConfigurationFiles: Sendable {
    let directory: String
    static let backupsKept = 10

    func path(_ file: String) -> String { (directory as NSString).appendingPathComponent(file) }

    /// Milliseconds since the epoch of the file's last change, nil when it does not exist.
    func modifiedMilliseconds(_ file: String) -> Int64? {
        guard let date = (try? FileManager.default.attributesOfItem(atPath: path(file)))?[.modificationDate] as? Date else {
            return nil
        }
        return Int64(date.timeIntervalSince1970 * 1000)
    }

    func read(_ file: String) -> JSONValue? {
        FileManager.default.contents(atPath: path(file)).flatMap { try? JSONValue.parse(Array($0)) }
    }

    func write(_ document: JSONValue, to file: String) throws {
        try backUp(file)
        try Data(document.prettyBytes).write(to: URL(fileURLWithPath: path(file)), options: .atomic)
    }

    private func backUp(_ file: String) throws {
        let source = path(file)
        guard FileManager.default.fileExists(atPath: source) else { return }
        let folder = path("backup")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let base = (file as NSString).lastPathComponent
        let stem = (base as NSString).deletingPathExtension
        let target = (folder as NSString).appendingPathComponent("\(stem).backup.\(Int(Date().timeIntervalSince1970)).json")
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: source, toPath: target)
        let prefix = "\(stem).backup."
        let backups = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix(prefix) }.sorted { Self.stamp($0, prefix) < Self.stamp($1, prefix) }
        for old in backups.dropLast(Self.backupsKept) {
            try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(old))
        }
    }

    private static func stamp(_ name: String, _ prefix: String) -> Int {
        Int(name.dropFirst(prefix.count).split(separator: ".").first ?? "") ?? 0
    }

    /// The main file's `connectors` list with `change` applied, written back.
    func updateConnectorList(mainFile: String, _ change: (inout [JSONValue]) -> Void) throws {
        guard case .object(var root)? = read(mainFile) else {
            throw ConfigError(file: mainFile, keyPath: "", expected: "a readable JSON object to update")
        }
        var list = root["connectors"]?.arrayValue ?? []
        change(&list)
        root["connectors"] = .array(list)
        try write(.object(root), to: mainFile)
    }

    /// The reference's file name for a connector created remotely: its name, lowercased, spaces
    /// as underscores.
    static func defaultFileName(forConnector name: String) -> String {
        name.lowercased().replacingOccurrences(of: " ", with: "_") + ".json"
    }
}
