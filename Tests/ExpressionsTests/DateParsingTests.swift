import Foundation
import Testing
@testable import Expressions
import GatewayKit

@Suite("Date strings as dateutil reads them")
struct DateParsingTests {
    private let utc = TimeZone(identifier: "UTC")!

    @Test("every fixture, with each dayfirst/yearfirst combination", arguments: dateutilCases)
    func fixture(_ testCase: (String, Bool, Bool, Int64?)) {
        let (text, dayFirst, yearFirst, expected) = testCase
        let parser = DateStringParser(dayFirst: dayFirst, yearFirst: yearFirst, today: (2026, 11, 21), timeZone: utc)
        #expect(parser.milliseconds(text) == expected, "\(text) dayfirst=\(dayFirst) yearfirst=\(yearFirst)")
    }

    @Test("missing parts come from today", arguments: dateutilDefaultedCases)
    func defaulted(_ testCase: (String, Int64?)) {
        let parser = DateStringParser(dayFirst: false, yearFirst: false, today: (2026, 11, 21), timeZone: utc)
        #expect(parser.milliseconds(testCase.0) == testCase.1, "\(testCase.0)")
    }

    @Test func tokensSplitLikeTimelex() {
        #expect(DateStringParser.split("10.11.25 10:35:12.123") == ["10", ".", "11", ".", "25", " ", "10", ":", "35", ":", "12.123"])
        #expect(DateStringParser.split("2025-10-20T11:53:37.637Z")
                == ["2025", "-", "10", "-", "20", "T", "11", ":", "53", ":", "37.637", "Z"])
        #expect(DateStringParser.split("Sep.20.2009") == ["Sep", ".", "20", ".", "2009"])
    }

    @Test func localTimeUsesTheZone() {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let parser = DateStringParser(dayFirst: false, yearFirst: false, today: (2026, 11, 21), timeZone: berlin)
        // 2025-07-01 12:00 CEST (UTC+2) and 2025-01-01 12:00 CET (UTC+1).
        #expect(parser.milliseconds("2025-07-01 12:00") == 1_751_364_000_000)
        #expect(parser.milliseconds("2025-01-01 12:00") == 1_735_729_200_000)
        // An explicit zone wins over the local one.
        #expect(parser.milliseconds("2025-01-01 12:00Z") == 1_735_732_800_000)
    }
}

@Suite("Calendar arithmetic")
struct CalendarArithmeticTests {
    @Test func civilDatesRoundTrip() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let date = DateStringParser.civilFromDays(days)
            #expect(DateStringParser.daysFromCivil(year: date.year, month: date.month, day: date.day) == days)
        }
        #expect(DateStringParser.civilFromDays(0) == (1970, 1, 1))
        #expect(DateStringParser.civilFromDays(20_413) == (2025, 11, 21))
        #expect(DateStringParser.civilFromDays(-1) == (1969, 12, 31))
    }

    @Test func todayIsTheLocalDate() {
        let utc = TimeZone(identifier: "UTC")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        let today = DateStringParser(dayFirst: false, yearFirst: false, timeZone: utc).today
        #expect(today == (parts.year!, parts.month!, parts.day!))
    }
}
