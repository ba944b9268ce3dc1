import Testing
@testable import GatewayCore

/// `gwProcessMemoryFullInfo` has psutil's `memory_full_info()` keys, read from /proc.
@Suite struct ProcessMemoryInfoTests {
    static let statm = "765 403 375 5 0 123 0\n"
    static let rollup = """
        55d1e4c30000-7ffef68af000 ---p 00000000 00:00 0                          [rollup]
        Rss:                1720 kB
        Pss:                 778 kB
        Pss_Dirty:           112 kB
        Shared_Clean:       1464 kB
        Private_Clean:       144 kB
        Private_Dirty:       112 kB
        Swap:                  8 kB
        SwapPss:               8 kB

        """

    @Test func statmPagesAndRollupKilobytesBecomePsutilsBytes() throws {
        let info = try #require(ProcessMemoryInfo.parse(statm: Self.statm, smapsRollup: Self.rollup, pageSize: 4096))
        #expect(info.values.map(\.key) == ["rss", "vms", "shared", "text", "lib", "data", "dirty", "uss", "pss", "swap"])
        #expect(info["rss"] == Int64(403 * 4096))
        #expect(info["vms"] == Int64(765 * 4096))
        #expect(info["shared"] == Int64(375 * 4096))
        #expect(info["text"] == Int64(5 * 4096))
        #expect(info["data"] == Int64(123 * 4096))
        #expect(info["uss"] == Int64((144 + 112) * 1024))
        #expect(info["pss"] == Int64(778 * 1024))
        #expect(info["swap"] == Int64(8 * 1024))
    }

    @Test func withoutSmapsRollupOnlyTheStatmSizes() throws {
        let info = try #require(ProcessMemoryInfo.parse(statm: Self.statm, smapsRollup: nil, pageSize: 4096))
        #expect(info.values.map(\.key) == ["rss", "vms", "shared", "text", "lib", "data", "dirty"])
        #expect(ProcessMemoryInfo.parse(statm: "1 2 3", smapsRollup: nil, pageSize: 4096) == nil)
    }

    @Test func thisProcessHasAResidentSetNoLargerThanItsAddressSpace() throws {
        let info = try #require(ProcessMemoryInfo.current())
        let rss = try #require(info["rss"]), vms = try #require(info["vms"]), uss = try #require(info["uss"])
        #expect(rss > 0 && rss <= vms && uss <= rss)
    }
}
