import Foundation
import GatewayKit
import Logging
import Storage
import TestSupport
import Testing

/// The three implementations the conformance suite runs against.
enum StorageKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory, file, sqlite
    var testDescription: String { rawValue }
    static let persistent: [StorageKind] = [.file, .sqlite]
}

/// Caps expressed the same way for every kind; `roughCapacity` events of `event(i)` size fit.
struct Caps: Sendable {
    var capacity: Int? = nil
    var overflow = "dropOldest"
    var ttlSeconds: Int? = nil
}

let testLogger = Logger(label: "storage-tests")

/// Same-size events, so byte caps translate to event counts: `{"deviceName":"dev","seq":00042}`.
func event(_ index: Int) -> StoredEvent {
    let digits = String(index)
    let padded = String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    return StoredEvent(bytes: Array(#"{"deviceName":"dev","seq":\#(padded)}"#.utf8))
}

let eventSize = event(0).bytes.count

func events(_ range: Range<Int>) -> [StoredEvent] { range.map(event) }

/// Storage configuration JSON for a kind in `directory`, with the caps mapped onto the kind's keys:
/// memory `max_records_count`; file files of 5 records × `max_file_count`; sqlite `max_bytes`.
func configuration(_ kind: StorageKind, directory: String, caps: Caps = Caps()) throws -> StorageConfiguration {
    var object: JSONObject = ["type": .string(kind.rawValue), "overflow": .string(caps.overflow)]
    if let ttl = caps.ttlSeconds { object["ttl_seconds"] = .int(Int64(ttl)) }
    switch kind {
    case .memory:
        if let capacity = caps.capacity { object["max_records_count"] = .int(Int64(capacity)) }
    case .file:
        object["data_folder_path"] = .string(directory + "/data/")
        if let capacity = caps.capacity {
            object["max_records_per_file"] = 5
            object["max_file_count"] = .int(Int64(capacity / 5))
        }
    case .sqlite:
        object["data_file_path"] = .string(directory + "/data/")
        if let capacity = caps.capacity { object["max_bytes"] = .int(Int64(capacity * eventSize)) }
    }
    return try StorageConfiguration(json: .object(object), file: "tb_gateway.json")
}

func makeStorage(_ kind: StorageKind, directory: String, caps: Caps = Caps()) throws -> any EventStorage {
    try makeEventStorage(configuration(kind, directory: directory, caps: caps), baseDirectory: directory,
                         logger: testLogger)
}

func scratch(_ label: String) throws -> String {
    try makeScratchDirectory("storage-\(label)").path
}

func texts(_ pack: EventPack?) -> [String] {
    pack?.events.map(\.text) ?? []
}

func texts(_ range: Range<Int>) -> [String] { events(range).map(\.text) }

/// Drains everything not yet handed out, in packs of `size`.
func drain(_ storage: any EventStorage, packSize: Int = 7) async throws -> (texts: [String], packs: [EventPack]) {
    var all: [String] = []
    var packs: [EventPack] = []
    while let pack = try await storage.nextPack(maxEvents: packSize) {
        all += pack.events.map(\.text)
        packs.append(pack)
    }
    return (all, packs)
}
