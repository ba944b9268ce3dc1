import Testing
@testable import Expressions
import GatewayKit

@Suite("Timestamp values")
struct TimestampParserTests {
    private func ms(_ value: JSONValue, dayFirst: Bool = false, yearFirst: Bool = false) -> Int64? {
        TimestampParser.milliseconds(from: value, dayFirst: dayFirst, yearFirst: yearFirst)
    }

    @Test func epochNumbersAreSecondsOrMillisecondsByMagnitude() {
        #expect(ms(.int(1_763_136_908)) == 1_763_136_908_000)
        #expect(ms(.int(1_763_136_908_969)) == 1_763_136_908_969)
        #expect(ms(.double(1_763_136_908.25)) == 1_763_136_908_250)
        #expect(ms(.double(1_763_136_908_969.9)) == 1_763_136_908_969)
        #expect(ms("1763136908") == 1_763_136_908_000)
        #expect(ms("1763136908969") == 1_763_136_908_969)
        #expect(ms(" 1763136908.5 ") == 1_763_136_908_500)
    }

    @Test("digit strings of date lengths are compact dates, as dateutil reads them")
    func compactDates() {
        #expect(ms("20251020T115337Z") == 1_760_961_217_000)
        #expect(ms("20251020115337") == DateStringParser(dayFirst: false, yearFirst: false).milliseconds("2025-10-20 11:53:37"))
    }

    @Test func dateStrings() {
        #expect(ms("2025-10-20T11:53:37.637Z") == 1_760_961_217_637)
        #expect(ms("Mon, 20 Oct 2025 11:53:37 GMT") == 1_760_961_217_000)
        #expect(ms("01/02/2025 10:00Z") == 1_735_812_000_000)
        #expect(ms("01/02/2025 10:00Z", dayFirst: true) == 1_738_404_000_000)
    }

    @Test func unreadableValues() {
        for value: JSONValue in ["", "soon", .null, true, [1], ["t": 1], .double(.infinity)] {
            #expect(ms(value) == nil, "\(value)")
        }
    }

    @Test func messageLevelTimestamps() {
        #expect(TimestampParser.messageTimestamp(in: ["ts": 1_700_000_000]) == 1_700_000_000, "as written: milliseconds")
        #expect(TimestampParser.messageTimestamp(in: ["timestamp": "1700000000000"]) == 1_700_000_000_000)
        #expect(TimestampParser.messageTimestamp(in: ["ts": .null, "timestamp": 5]) == nil, "a ts key hides timestamp")
        #expect(TimestampParser.messageTimestamp(in: ["ts": 1.9]) == 1)
        #expect(TimestampParser.messageTimestamp(in: ["other": 1]) == nil)
        #expect(TimestampParser.messageTimestamp(in: [1, 2]) == nil)
    }
}
