@testable import GatewayCore
import Foundation
import Logging
import Testing
import TestSupport

/// Hot reload sees every connector file the main file names, also in subfolders, as the
/// reference checks each connector's own path.
struct ConnectorFileWatcherTests {
    @Test func connectorFilesInSubfoldersAreWatched() throws {
        let directory = try makeScratchDirectory("watcher").path
        try FileManager.default.createDirectory(atPath: directory + "/modbus", withIntermediateDirectories: true)
        try #"{"thingsboard": {"host": "h"}, "connectors": [{"type": "modbus", "name": "PLC", "configuration": "modbus/plc1.json"}]}"#
            .write(toFile: directory + "/tb_gateway.json", atomically: true, encoding: .utf8)
        try "{}".write(toFile: directory + "/modbus/plc1.json", atomically: true, encoding: .utf8)
        let watcher = ConnectorFileWatcher(directory: directory, environment: [:], period: 0, logger: Logger(label: "test"))
        #expect(watcher.connectorFileNames() == ["modbus/plc1.json"])
        let before = watcher.currentStamps(watcher.connectorFileNames())
        #expect(Set(before.keys) == ["tb_gateway.json", "modbus/plc1.json"])
        try #"{"slave": {}}"#.write(toFile: directory + "/modbus/plc1.json", atomically: true, encoding: .utf8)
        #expect(watcher.currentStamps(watcher.connectorFileNames()) != before, "an edit in a subfolder went unseen")
    }
}
