import Logging

/// Keeps the gateway's resident memory to what it is using: after each configuration change (the
/// parsed files are gone, the set-up code has run) and then every few minutes, freed heap pages go
/// back to the system and code pages not run lately are unmapped (`MappedCodeTrim`).
///
/// The periodic pass is for code that ran once in a while since (a reconnect, a statistics report):
/// left alone, the idle gateway's mapped code grew from 9 to 14 MiB over its first three minutes.
/// A pass costs about a millisecond, and the code in use is mapped back by minor faults.
enum MemoryUpkeep {
    static let period: Duration = .seconds(300)

    static func trimNow(logger: Logger) {
        HeapTrim.returnFreePages()
        let droppedKiB = MappedCodeTrim.dropCleanCodePages()
        logger.debug("unmapped code pages not in use", metadata: ["KiB": "\(droppedKiB)"])
    }

    /// Trims every `period` until cancelled.
    static func run(logger: Logger) async {
        while (try? await Task.sleep(for: period)) != nil {
            trimNow(logger: logger)
        }
    }
}
