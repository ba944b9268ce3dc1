import Foundation
@testable import GatewayCore
import Testing

/// Which mappings may be dropped (only clean pages of loaded code files), and that dropping them in a
/// running process lowers its resident code while the process goes on running that code.
@Suite struct MappedCodeTrimTests {
    static let smapsFixture = """
        55d0c0000000-55d0c0400000 r--p 00000000 08:01 1234                       /opt/gw/iot-gateway
        Size:               4096 kB
        Rss:                1200 kB
        Anonymous:             0 kB
        VmFlags: rd mr mw me dw sd
        55d0c0400000-55d0c2000000 r-xp 00400000 08:01 1234                       /opt/gw/iot-gateway
        Size:              28672 kB
        Rss:               15000 kB
        Anonymous:             0 kB
        55d0c2000000-55d0c2100000 r--p 02000000 08:01 1234                       /opt/gw/iot-gateway
        Rss:                1400 kB
        Anonymous:          1400 kB
        55d0c2100000-55d0c2180000 rw-p 02100000 08:01 1234                       /opt/gw/iot-gateway
        Rss:                 500 kB
        Anonymous:            20 kB
        55d0c3000000-55d0c3400000 rw-p 00000000 00:00 0                          [heap]
        Rss:                2000 kB
        Anonymous:          2000 kB
        7f0000000000-7f0000100000 r--p 00000000 08:01 99                         /var/lib/gw/data.bin
        Rss:                1024 kB
        Anonymous:             0 kB
        7f1000000000-7f1000028000 r--p 00000000 08:01 77                         /usr/lib/x86_64-linux-gnu/libc.so.6
        Rss:                 160 kB
        Anonymous:             0 kB
        7f1000028000-7f10001bd000 r-xp 00028000 08:01 77                         /usr/lib/x86_64-linux-gnu/libc.so.6
        Rss:                 900 kB
        Anonymous:             0 kB
        7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]
        Rss:                   8 kB
        Anonymous:             0 kB

        """

    @Test func onlyCleanReadOnlyMappingsOfCodeFilesAreTrimmable() {
        let mappings = MappedCodeTrim.parseSmaps(Self.smapsFixture)
        #expect(mappings.count == 9)
        #expect(mappings[1] == .init(start: 0x55d0c0400000, end: 0x55d0c2000000, permissions: "r-xp",
                                     path: "/opt/gw/iot-gateway", residentKiB: 15000, anonymousKiB: 0))
        let trimmable = MappedCodeTrim.trimmable(mappings).map { "\($0.path) \($0.permissions) \($0.residentKiB)" }
        #expect(trimmable == [
            "/opt/gw/iot-gateway r--p 1200",
            "/opt/gw/iot-gateway r-xp 15000",
            "/usr/lib/x86_64-linux-gnu/libc.so.6 r--p 160",
            "/usr/lib/x86_64-linux-gnu/libc.so.6 r-xp 900",
        ], "relocated read-only data (anonymous pages), writable data, the heap, a data file and [vdso] stay")
    }

    @Test func droppingLowersResidentCodeAndTheProcessKeepsRunning() throws {
        let before = try Self.residentTrimmableKiB()
        let dropped = MappedCodeTrim.dropCleanCodePages()
        let after = try Self.residentTrimmableKiB()
        #expect(dropped > 0)
        #expect(after < before / 2, "resident code \(before) KiB before, \(after) KiB after dropping \(dropped) KiB")
        // The code dropped is mapped back as it runs: parse and select once more, same answer.
        #expect(MappedCodeTrim.trimmable(MappedCodeTrim.parseSmaps(Self.smapsFixture)).count == 4)
    }

    private static func residentTrimmableKiB() throws -> Int {
        let smaps = try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8)
        return MappedCodeTrim.trimmable(MappedCodeTrim.parseSmaps(smaps)).reduce(0) { $0 + $1.residentKiB }
    }
}
