import Foundation
import Testing
import TestSupport
@testable import Expressions

/// A `tsField` holds whatever the device wrote: the dateutil-compatible date parser gives a time
/// or nothing for any text, never traps (numbers beyond Int's range once did). Seeded mutations of
/// the dateutil fixtures, with long and extreme numbers spliced in.
@Suite("Date strings against mutated text")
struct DateStringRobustnessTests {
    static let extremes = ["99999999999999999999", "9223372036854775808", "-9223372036854775809", "1e308", "4294967296",
                           "00000000000000", "0.0000001", "123456789012345678901234567890", ":", "-", "/", "T", "PM"]

    @Test func mutatedDatesParseOrAreRefused() {
        let utc = TimeZone(identifier: "UTC")!
        let parsers = [(false, false), (true, false), (false, true), (true, true)].map {
            DateStringParser(dayFirst: $0.0, yearFirst: $0.1, today: (2026, 11, 21), timeZone: utc)
        }
        let seeds = (dateutilCases.map(\.0) + dateutilDefaultedCases.map(\.0)).map { Array($0.utf8) }
        var mutator = ByteMutator(seed: 0x4441_5445)
        var parsed = 0
        for iteration in 0..<40_000 {
            var bytes = mutator.mutate(seeds[iteration % seeds.count])
            if mutator.below(3) == 0 {
                bytes.insert(contentsOf: Array(Self.extremes[mutator.below(Self.extremes.count)].utf8), at: mutator.below(bytes.count + 1))
            }
            let text = String(decoding: bytes, as: UTF8.self)
            if parsers[iteration % parsers.count].milliseconds(text) != nil { parsed += 1 }
        }
        #expect(parsed > 4_000, "the mutations should leave many dates readable")
    }

    /// What the mutations found, as dateutil 2.9 and Python's datetime answer them: an offset of a
    /// day or more is refused, and so are numbers beyond 64 bits (they trapped here before).
    @Test(arguments: [
        ("2025-01-01 12:00 +23:59", 1_735_646_460_000), ("2025-01-01 12:00 +24:00", nil), ("2025-01-01 12:00 -2400", nil),
        ("2025-01-01 12:00 +99999999999999999999:00", nil), ("2025-01-01 12:00 +9999999999999999:00", nil),
        ("2025-01-01 99999999999999999999:30", nil), ("2025-01-01 12:99999999999999999999", nil),
        ("99999999999999999999 PM", nil), ("1 99999999999999999999", nil),
    ] as [(String, Int64?)])
    func extremeNumbersAreRefusedAsTheReferenceRefusesThem(text: String, expected: Int64?) {
        let parser = DateStringParser(dayFirst: false, yearFirst: false, today: (2026, 11, 21),
                                      timeZone: TimeZone(identifier: "UTC")!)
        #expect(parser.milliseconds(text) == expected)
    }
}
