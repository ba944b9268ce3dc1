import Foundation

/// Date strings read the way the reference reads them: it hands `tsField` values to
/// python-dateutil's `parser.parse(text, dayfirst=, yearfirst=)` and keeps
/// `int(result.timestamp() * 1000)`. This is a port of that parser's non-fuzzy path (token
/// splitting, numeric-token rules, month/weekday names, AM/PM, `Z`/`UTC`/`GMT`, `±HH[:MM]`
/// offsets and the day/month/year resolution), so "10.11.25 10:35:12.123" means the same date
/// in both gateways. Not ported: "h/m/s" unit words ("10h30m") and fuzzy parsing. A time
/// without a zone is local time and missing date parts come from today, as in the reference.
struct DateStringParser {
    struct Fields: Equatable {
        var year: Int?, month: Int?, day: Int?
        var hour: Int?, minute: Int?, second: Int?, microsecond: Int?
        var weekday: Int?
        var ampm: Int?
        var tzname: String?
        var tzoffset: Int?
        var centurySpecified = false

        var isEmpty: Bool {
            year == nil && month == nil && day == nil && hour == nil && minute == nil && second == nil
                && microsecond == nil && weekday == nil && ampm == nil && tzname == nil && tzoffset == nil
        }
    }

    struct Failure: Error {}

    let dayFirst: Bool
    let yearFirst: Bool
    /// Today's local date, for missing parts and two-digit years; computed only when needed
    /// unless given (tests).
    private let fixedToday: (year: Int, month: Int, day: Int)?
    /// The zone of times written without one (the machine's, as in the reference).
    let timeZone: TimeZone

    init(dayFirst: Bool, yearFirst: Bool, today: (year: Int, month: Int, day: Int)? = nil,
         timeZone: TimeZone = .current) {
        self.dayFirst = dayFirst
        self.yearFirst = yearFirst
        self.timeZone = timeZone
        self.fixedToday = today
    }

    var today: (year: Int, month: Int, day: Int) {
        if let fixedToday { return fixedToday }
        let now = Date()
        let localSeconds = Int64(now.timeIntervalSince1970.rounded(.down)) + Int64(timeZone.secondsFromGMT(for: now))
        let days = localSeconds >= 0 ? localSeconds / 86_400 : (localSeconds - 86_399) / 86_400
        return Self.civilFromDays(days)
    }

    /// Milliseconds since the epoch, or nil where dateutil raises.
    func milliseconds(_ text: String) -> Int64? {
        guard let fields = try? parse(text), !fields.isEmpty else { return nil }
        return try? timestamp(fields)
    }

    // MARK: tokens (dateutil's _timelex)

    static func split(_ text: String) -> [String] {
        var tokens: [String] = []
        var characters = Array(text.filter { $0 != "\0" })[...]
        while let first = characters.first {
            characters.removeFirst()
            var token = String(first)
            var state: Character? = nil
            var seenLetters = false
            if isWord(first) {
                state = "a"
            } else if isNumber(first) {
                state = "0"
            } else {
                tokens.append(first.isWhitespace ? " " : token)
                continue
            }
            while let next = characters.first {
                var consumed = true
                switch state {
                case "a":
                    seenLetters = true
                    if isWord(next) { token.append(next) }
                    else if next == "." { token.append(next); state = "." }  // 'a.'
                    else { consumed = false }
                case "0":
                    if isNumber(next) { token.append(next) }
                    else if next == "." || (next == "," && token.count >= 2) { token.append(next); state = "," } // '0.'
                    else { consumed = false }
                case ".":  // 'a.'
                    seenLetters = true
                    if next == "." || isWord(next) { token.append(next) }
                    else if isNumber(next) && token.last == "." { token.append(next); state = "," }
                    else { consumed = false }
                default:  // '0.'
                    if next == "." || isNumber(next) { token.append(next) }
                    else if isWord(next) && token.last == "." { token.append(next); state = "." }
                    else { consumed = false }
                }
                guard consumed else { break }
                characters.removeFirst()
            }
            let dotted = state == "." || state == ","
            if dotted && (seenLetters || token.filter({ $0 == "." }).count > 1 || token.last == "." || token.last == ",") {
                // Split on "." and "," keeping the separators, dropping empty pieces.
                var piece = ""
                var pieces: [String] = []
                for character in token {
                    if character == "." || character == "," {
                        pieces.append(piece)
                        pieces.append(String(character))
                        piece = ""
                    } else {
                        piece.append(character)
                    }
                }
                pieces.append(piece)
                tokens.append(pieces[0])
                tokens.append(contentsOf: pieces.dropFirst().filter { !$0.isEmpty })
                continue
            }
            if state == "," && !token.contains(".") { token = token.replacingOccurrences(of: ",", with: ".") }
            tokens.append(token)
        }
        return tokens
    }

    private static func isWord(_ character: Character) -> Bool { character.isLetter }
    private static func isNumber(_ character: Character) -> Bool { character.isASCII && character.isNumber }

    // MARK: vocabulary (dateutil's parserinfo)

    static let jumpWords: Set<String> = [" ", ".", ",", ";", "-", "/", "'", "at", "on", "and", "ad", "m", "t", "of",
                                         "st", "nd", "rd", "th"]
    static let weekdayWords: [String: Int] = {
        var words: [String: Int] = [:]
        for (index, names) in [["mon", "monday"], ["tue", "tuesday"], ["wed", "wednesday"], ["thu", "thursday"],
                               ["fri", "friday"], ["sat", "saturday"], ["sun", "sunday"]].enumerated() {
            for name in names { words[name] = index }
        }
        return words
    }()
    static let monthWords: [String: Int] = {
        var words: [String: Int] = [:]
        for (index, names) in [["jan", "january"], ["feb", "february"], ["mar", "march"], ["apr", "april"],
                               ["may"], ["jun", "june"], ["jul", "july"], ["aug", "august"],
                               ["sep", "sept", "september"], ["oct", "october"], ["nov", "november"],
                               ["dec", "december"]].enumerated() {
            for name in names { words[name] = index + 1 }
        }
        return words
    }()
    static let ampmWords: [String: Int] = ["am": 0, "a": 0, "pm": 1, "p": 1]
    static let hmsWords: Set<String> = ["h", "hour", "hours", "m", "minute", "minutes", "s", "second", "seconds"]
    static let utcZones: Set<String> = ["UTC", "GMT", "Z", "z"]

    static func isJump(_ token: String) -> Bool { jumpWords.contains(token.lowercased()) }
    static func isUTCZone(_ token: String) -> Bool { utcZones.contains(token) || ["utc", "gmt", "z"].contains(token.lowercased()) }

    // MARK: parsing (dateutil's parser._parse, non-fuzzy)

    func parse(_ text: String) throws(Failure) -> Fields {
        var tokens = Self.split(text)
        var fields = Fields()
        var ymd = YMD()
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            if PythonText.parseFloat(token) != nil && !token.contains(where: \.isWhitespace) {
                i = try parseNumeric(tokens, i, &ymd, &fields)
            } else if let weekday = Self.weekdayWords[token.lowercased()] {
                fields.weekday = weekday
            } else if let month = Self.monthWords[token.lowercased()] {
                try ymd.append(month, label: .month)
                if i + 1 < tokens.count {
                    if tokens[i + 1] == "-" || tokens[i + 1] == "/" {
                        let separator = tokens[i + 1]
                        guard i + 2 < tokens.count else { throw Failure() }
                        try ymd.append(text: tokens[i + 2])
                        if i + 3 < tokens.count && tokens[i + 3] == separator {
                            guard i + 4 < tokens.count else { throw Failure() }
                            try ymd.append(text: tokens[i + 4])
                            i += 2
                        }
                        i += 2
                    } else if i + 4 < tokens.count, tokens[i + 1] == " ", tokens[i + 3] == " ",
                              tokens[i + 2].lowercased() == "of" {
                        if tokens[i + 4].allSatisfy(\.isASCIIDigitCharacter), let value = Int(tokens[i + 4]) {
                            try ymd.append(text: String(convertYear(value, centurySpecified: false)), label: .year)
                        }
                        i += 4
                    }
                }
            } else if let ampm = Self.ampmWords[token.lowercased()] {
                guard let hour = fields.hour, (0...12).contains(hour) else { throw Failure() }
                fields.hour = Self.adjust(hour: hour, ampm: ampm)
                fields.ampm = ampm
            } else if couldBeTimeZoneName(fields, token) {
                fields.tzname = token
                fields.tzoffset = Self.utcZones.contains(token) && token.lowercased() == token ? 0 : nil
                if i + 1 < tokens.count && (tokens[i + 1] == "+" || tokens[i + 1] == "-") {
                    // "UTC+3" is POSIX style: the sign means the opposite.
                    tokens[i + 1] = tokens[i + 1] == "+" ? "-" : "+"
                    fields.tzoffset = nil
                    if Self.isUTCZone(token) { fields.tzname = nil }
                }
            } else if fields.hour != nil && (token == "+" || token == "-") {
                let sign = token == "+" ? 1 : -1
                guard i + 1 < tokens.count else { throw Failure() }
                let offsetText = tokens[i + 1]
                let hours: Int
                let minutes: Int
                if offsetText.count == 4 {
                    guard let h = Int(offsetText.prefix(2)), let m = Int(offsetText.suffix(2)) else { throw Failure() }
                    (hours, minutes) = (h, m)
                } else if i + 2 < tokens.count && tokens[i + 2] == ":" {
                    guard i + 3 < tokens.count, let h = Int(offsetText), let m = Int(tokens[i + 3]) else { throw Failure() }
                    (hours, minutes) = (h, m)
                    i += 2
                } else if offsetText.count <= 2 {
                    guard let h = Int(offsetText) else { throw Failure() }
                    (hours, minutes) = (h, 0)
                } else {
                    throw Failure()
                }
                // Digits of any length: checked, so a hostile offset fails instead of trapping.
                let (hourSeconds, hoursOverflow) = hours.multipliedReportingOverflow(by: 3600)
                let (minuteSeconds, minutesOverflow) = minutes.multipliedReportingOverflow(by: 60)
                let (offset, sumOverflow) = hourSeconds.addingReportingOverflow(minuteSeconds)
                guard !hoursOverflow, !minutesOverflow, !sumOverflow else { throw Failure() }
                fields.tzoffset = sign * offset
                // "+0200 (CEST)": the name in parentheses is taken as the zone name.
                if i + 5 < tokens.count, Self.isJump(tokens[i + 2]), tokens[i + 3] == "(", tokens[i + 5] == ")",
                   tokens[i + 4].count >= 3, couldBeTimeZoneName(Fields(hour: fields.hour), tokens[i + 4]) {
                    fields.tzname = tokens[i + 4]
                    i += 4
                }
                i += 1
            } else if !Self.isJump(token) {
                throw Failure()
            }
            i += 1
        }
        let (year, month, day) = try ymd.resolve(yearFirst: yearFirst, dayFirst: dayFirst)
        fields.centurySpecified = ymd.centurySpecified
        fields.year = year
        fields.month = month
        fields.day = day
        // dateutil's validate(): two-digit years, and "Z"/"z"/offset 0 mean UTC.
        if let year = fields.year { fields.year = convertYear(year, centurySpecified: fields.centurySpecified) }
        if (fields.tzoffset == 0 && fields.tzname == nil) || fields.tzname == "Z" || fields.tzname == "z" {
            fields.tzname = "UTC"
            fields.tzoffset = 0
        } else if fields.tzoffset != 0, let name = fields.tzname, Self.isUTCZone(name) {
            fields.tzoffset = 0
        }
        return fields
    }

    private func couldBeTimeZoneName(_ fields: Fields, _ token: String) -> Bool {
        fields.hour != nil && fields.tzname == nil && fields.tzoffset == nil && token.count <= 5
            && (token.allSatisfy { $0.isASCII && $0.isUppercase } || Self.utcZones.contains(token))
    }

    static func adjust(hour: Int, ampm: Int) -> Int {
        if hour < 12 && ampm == 1 { return hour + 12 }
        if hour == 12 && ampm == 0 { return 0 }
        return hour
    }

    func convertYear(_ year: Int, centurySpecified: Bool) -> Int {
        guard year < 100 && !centurySpecified else { return year }
        var result = year + today.year / 100 * 100
        if result >= today.year + 50 { result -= 100 } else if result < today.year - 50 { result += 100 }
        return result
    }

    /// dateutil's _parse_numeric_token (without the "h/m/s" unit words).
    private func parseNumeric(_ tokens: [String], _ start: Int, _ ymd: inout YMD, _ fields: inout Fields) throws(Failure) -> Int {
        var i = start
        let text = tokens[i]
        guard let value = Self.decimal(text) else { throw Failure() }
        let length = text.count
        let count = tokens.count
        if i + 1 < count, Self.hmsWords.contains(tokens[i + 1].lowercased()) { throw Failure() }
        if ymd.values.count == 3 && (length == 2 || length == 4) && fields.hour == nil
            && (i + 1 >= count || tokens[i + 1] != ":") {
            // 19990101T23[59]
            let digits = Array(text)
            guard let hour = Int(String(digits[0..<2])) else { throw Failure() }
            fields.hour = hour
            if length == 4 { fields.minute = Int(String(digits[2...])) }
        } else if length == 6 || (length > 6 && text.firstIndex(of: ".").map({ text.distance(from: text.startIndex, to: $0) }) == 6) {
            let digits = Array(text)
            if ymd.values.isEmpty && !text.contains(".") {
                // YYMMDD
                try ymd.append(text: String(digits[0..<2]))
                try ymd.append(text: String(digits[2..<4]))
                try ymd.append(text: String(digits[4...]))
            } else {
                // HHMMSS[.ss]
                fields.hour = Int(String(digits[0..<2]))
                fields.minute = Int(String(digits[2..<4]))
                (fields.second, fields.microsecond) = try Self.secondsAndMicros(String(digits[4...]))
            }
        } else if length == 8 || length == 12 || length == 14 {
            // YYYYMMDD[hhmm[ss]]
            let digits = Array(text)
            try ymd.append(text: String(digits[0..<4]), label: .year)
            try ymd.append(text: String(digits[4..<6]))
            try ymd.append(text: String(digits[6..<8]))
            if length > 8 {
                fields.hour = Int(String(digits[8..<10]))
                fields.minute = Int(String(digits[10..<12]))
                if length > 12 { fields.second = Int(String(digits[12...])) }
            }
        } else if i + 2 < count && tokens[i + 1] == ":" {
            // HH:MM[:SS[.ss]]
            fields.hour = try Self.whole(value)
            guard let minuteValue = Self.decimal(tokens[i + 2]) else { throw Failure() }
            fields.minute = try Self.whole(minuteValue)
            let remainder = minuteValue - minuteValue.rounded(.towardZero)
            if remainder != 0 { fields.second = Int(60 * remainder) }
            if i + 4 < count && tokens[i + 3] == ":" {
                (fields.second, fields.microsecond) = try Self.secondsAndMicros(tokens[i + 4])
                i += 2
            }
            i += 2
        } else if i + 1 < count && (tokens[i + 1] == "-" || tokens[i + 1] == "/" || tokens[i + 1] == ".") {
            let separator = tokens[i + 1]
            try ymd.append(text: text)
            if i + 2 < count && !Self.isJump(tokens[i + 2]) {
                if tokens[i + 2].allSatisfy(\.isASCIIDigitCharacter) && !tokens[i + 2].isEmpty {
                    try ymd.append(text: tokens[i + 2])
                } else if let month = Self.monthWords[tokens[i + 2].lowercased()] {
                    try ymd.append(month, label: .month)
                } else {
                    throw Failure()
                }
                if i + 3 < count && tokens[i + 3] == separator {
                    guard i + 4 < count else { throw Failure() }
                    if let month = Self.monthWords[tokens[i + 4].lowercased()] {
                        try ymd.append(month, label: .month)
                    } else {
                        try ymd.append(text: tokens[i + 4])
                    }
                    i += 2
                }
                i += 1
            }
            i += 1
        } else if i + 1 >= count || Self.isJump(tokens[i + 1]) {
            if i + 2 < count, let ampm = Self.ampmWords[tokens[i + 2].lowercased()] {
                fields.hour = Self.adjust(hour: try Self.whole(value), ampm: ampm)
                i += 1
            } else {
                try ymd.append(number: value, text: text)
            }
            i += 1
        } else if let ampm = Self.ampmWords[tokens[i + 1].lowercased()], value >= 0, value < 24 {
            fields.hour = Self.adjust(hour: try Self.whole(value), ampm: ampm)
            i += 1
        } else if ymd.couldBeDay(value) {
            try ymd.append(number: value, text: text)
        } else {
            throw Failure()
        }
        return i
    }

    /// Python's Decimal(text) for the tokens seen here (digits with an optional fraction).
    static func decimal(_ text: String) -> Double? {
        guard let value = PythonText.parseFloat(text), value.isFinite else { return nil }
        return value
    }

    /// Python's `int()` of a number token (toward zero). A token beyond Int's range fails the
    /// parse, as the date it would make fails in dateutil; converting it would trap.
    static func whole(_ value: Double) throws(Failure) -> Int {
        guard let whole = Int(exactly: value.rounded(.towardZero)) else { throw Failure() }
        return whole
    }

    /// "SS[.ffffff]" → seconds and microseconds (the fraction cut to six digits).
    static func secondsAndMicros(_ text: String) throws(Failure) -> (Int?, Int?) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard let seconds = Int(parts[0]) else { throw Failure() }
        guard parts.count > 1 else { return (seconds, 0) }
        guard parts.count == 2 else { throw Failure() }
        let fraction = String((parts[1] + "000000").prefix(6))
        guard let micros = Int(fraction) else { throw Failure() }
        return (seconds, micros)
    }

    // MARK: building the instant (dateutil's _build_naive / _build_tzaware, datetime.timestamp)

    func timestamp(_ fields: Fields) throws(Failure) -> Int64 {
        let year = fields.year ?? today.year
        let month = fields.month ?? today.month
        guard (1...12).contains(month), (1...9999).contains(year) else { throw Failure() }
        var day = fields.day ?? today.day
        if fields.day == nil { day = min(day, Self.daysIn(month: month, year: year)) }
        guard day >= 1, day <= Self.daysIn(month: month, year: year) else { throw Failure() }
        let hour = fields.hour ?? 0, minute = fields.minute ?? 0, second = fields.second ?? 0
        let micro = fields.microsecond ?? 0
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second),
              (0...999_999).contains(micro) else { throw Failure() }
        var days = Self.daysFromCivil(year: year, month: month, day: day)
        if let weekday = fields.weekday, fields.day == nil {
            // relativedelta(weekday=...): the next such weekday on or after the date.
            let current = Int((days % 7 + 7 + 3) % 7)  // 1970-01-01 was a Thursday (3, Monday = 0)
            days += Int64((weekday - current + 7) % 7)
        }
        let wallSeconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let seconds: Double
        if let offset = fields.tzoffset ?? (fields.tzname.map { Self.isUTCZone($0) ? 0 : nil } ?? nil) {
            // Python's datetime refuses a UTC offset of a day or more (utcoffset() raises).
            guard offset.magnitude < 86_400 else { throw Failure() }
            // Aware: (dt - epoch).total_seconds(), an exact integer division.
            let micros = (wallSeconds - Int64(offset)) * 1_000_000 + Int64(micro)
            seconds = Double(micros) / 1e6
        } else {
            // Naive (or an unknown zone name, which dateutil ignores): local time.
            let local = wallSeconds - Int64(localOffset(forWallSeconds: wallSeconds))
            seconds = Double(local) + Double(micro) / 1e6
        }
        let milliseconds = (seconds * 1000).rounded(.towardZero)
        guard milliseconds.magnitude < 9.2e18 else { throw Failure() }
        return Int64(milliseconds)
    }

    func localOffset(forWallSeconds wall: Int64) -> Int {
        let zone = timeZone
        var offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(wall)))
        offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(wall - Int64(offset))))
        return offset
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01.
    static func civilFromDays(_ days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
