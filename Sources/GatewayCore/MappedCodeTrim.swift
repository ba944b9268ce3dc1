import Foundation
#if os(Linux)
import Glibc
#endif

/// Unmaps the clean pages of the gateway's own code (the executable and the shared libraries) once
/// start-up is over, so that RSS shows the code the running gateway really uses.
///
/// Why: start-up runs code nothing runs again (argument parsing, configuration loading, every
/// connector's set-up), and the kernel maps the page-cached neighbours of every page touched
/// (fault-around, read-ahead): the idle gateway had about 28 MiB of code and read-only data resident
/// while it had run about 5 MiB of it. `MADV_DONTNEED` drops those pages from this process's page
/// tables only; they stay in the page cache, and a page that is needed again is mapped back by a
/// minor fault (no disk read while it is cached).
///
/// Safe because only mappings that cannot hold data of their own are touched: private, not writable,
/// backed by a file that is also mapped executable (an ELF object: the binary, glibc, libsqlite3),
/// and with no anonymous (copy-on-write) pages — the loader's relocated read-only data (RELRO) has
/// those and is skipped, so dropping a page can only ever bring back the file's own bytes.
enum MappedCodeTrim {
    struct Mapping: Equatable {
        var start: UInt
        var end: UInt
        var permissions: String
        var path: String
        var residentKiB: Int
        var anonymousKiB: Int

        var isPrivateReadOnly: Bool {
            permissions.count == 4 && !permissions.contains("w") && permissions.hasSuffix("p")
        }
        var isExecutable: Bool { permissions.contains("x") }
    }

    /// Drops the clean code pages; returns the KiB that were resident in the trimmed mappings.
    @discardableResult
    static func dropCleanCodePages() -> Int {
        #if os(Linux)
        guard let smaps = try? String(contentsOfFile: "/proc/self/smaps", encoding: .utf8) else { return 0 }
        let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))
        var dropped = 0
        for mapping in trimmable(parseSmaps(smaps)) where mapping.residentKiB > 0 {
            guard mapping.start % pageSize == 0, mapping.end > mapping.start,
                  let address = UnsafeMutableRawPointer(bitPattern: mapping.start) else { continue }
            if madvise(address, Int(mapping.end - mapping.start), MADV_DONTNEED) == 0 {
                dropped += mapping.residentKiB
            }
        }
        return dropped
        #else
        return 0
        #endif
    }

    /// The mappings `dropCleanCodePages` may drop, by the rules in the type's comment.
    static func trimmable(_ mappings: [Mapping]) -> [Mapping] {
        let codeFiles = Set(mappings.filter { $0.isExecutable && $0.path.hasPrefix("/") }.map(\.path))
        return mappings.filter {
            codeFiles.contains($0.path) && $0.isPrivateReadOnly && $0.anonymousKiB == 0
        }
    }

    /// Parses `/proc/<pid>/smaps`: a header line per mapping ("start-end perms offset dev inode path")
    /// followed by "Key: value kB" lines.
    static func parseSmaps(_ text: String) -> [Mapping] {
        var mappings: [Mapping] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if let header = parseHeader(line) {
                mappings.append(header)
            } else if !mappings.isEmpty, let (key, kib) = parseSizeField(line) {
                if key == "Rss" { mappings[mappings.count - 1].residentKiB = kib }
                if key == "Anonymous" { mappings[mappings.count - 1].anonymousKiB = kib }
            }
        }
        return mappings
    }

    private static func parseHeader(_ line: Substring) -> Mapping? {
        let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count >= 5 else { return nil }
        let range = fields[0].split(separator: "-")
        guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16)
        else { return nil }
        let path = fields.count == 6 ? String(fields[5].drop(while: { $0 == " " })) : ""
        return Mapping(start: start, end: end, permissions: String(fields[1]), path: path,
                       residentKiB: 0, anonymousKiB: 0)
    }

    private static func parseSizeField(_ line: Substring) -> (Substring, Int)? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let value = line[line.index(after: colon)...].split(separator: " ")
        guard value.count == 2, value[1] == "kB", let kib = Int(value[0]) else { return nil }
        return (line[..<colon], kib)
    }
}
