import Foundation

/// The process's memory as psutil's `memory_full_info()` reports it on Linux, which the reference
/// sends as `gwProcessMemoryFullInfo`: the `statm` sizes (`rss`, `vms`, `shared`, `text`, `lib`,
/// `data`, `dirty`) and, from `smaps_rollup`, `uss` (private pages), `pss` and `swap`; all bytes.
struct ProcessMemoryInfo: Sendable, Equatable {
    var values: [(key: String, bytes: Int64)]

    static func == (a: ProcessMemoryInfo, b: ProcessMemoryInfo) -> Bool {
        a.values.elementsEqual(b.values) { $0.key == $1.key && $0.bytes == $1.bytes }
    }

    subscript(key: String) -> Int64? { values.first { $0.key == key }?.bytes }

    /// nil where /proc is not available; without `smaps_rollup` (kernels before 4.14) only the
    /// `statm` sizes.
    static func current() -> ProcessMemoryInfo? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let rollup = try? String(contentsOfFile: "/proc/self/smaps_rollup", encoding: .utf8)
        return parse(statm: statm, smapsRollup: rollup, pageSize: Int64(sysconf(Int32(_SC_PAGESIZE))))
    }

    /// `statm`: size resident shared text lib data dirty, in pages (psutil's order: rss first).
    /// `smaps_rollup`: "Key:   N kB" lines.
    static func parse(statm: String, smapsRollup: String?, pageSize: Int64) -> ProcessMemoryInfo? {
        let pages = statm.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int64($0) }
        guard pages.count >= 7 else { return nil }
        var values: [(key: String, bytes: Int64)] = [
            ("rss", pages[1] * pageSize), ("vms", pages[0] * pageSize), ("shared", pages[2] * pageSize),
            ("text", pages[3] * pageSize), ("lib", pages[4] * pageSize), ("data", pages[5] * pageSize),
            ("dirty", pages[6] * pageSize),
        ]
        if let smapsRollup {
            var kib: [Substring: Int64] = [:]
            for line in smapsRollup.split(separator: "\n") {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                guard parts.count >= 2, parts[0].hasSuffix(":"), let value = Int64(parts[1]) else { continue }
                kib[parts[0].dropLast()] = value
            }
            if let clean = kib["Private_Clean"], let dirty = kib["Private_Dirty"] {
                values.append(("uss", (clean + dirty) * 1024))
            }
            if let pss = kib["Pss"] { values.append(("pss", pss * 1024)) }
            if let swap = kib["Swap"] { values.append(("swap", swap * 1024)) }
        }
        return ProcessMemoryInfo(values: values)
    }
}
