/// dateutil's `_ymd`: the up to three date numbers seen, which of them is known to be the year,
/// month or day, and the rules that decide the rest.
struct YMD {
    enum Label { case year, month, day }

    var values: [Int] = []
    var centurySpecified = false
    var yearIndex: Int?
    var monthIndex: Int?
    var dayIndex: Int?

    mutating func append(text: String, label: Label? = nil) throws(DateStringParser.Failure) {
        var label = label
        if text.allSatisfy(\.isASCIIDigitCharacter) && text.count > 2 {
            centurySpecified = true
            guard label == nil || label == .year else { throw DateStringParser.Failure() }
            label = .year
        }
        guard let value = Int(text) else { throw DateStringParser.Failure() }
        try store(value, label: label)
    }

    /// A number token appended as a number (dateutil appends the Decimal here, so only a value
    /// above 100 marks a year).
    mutating func append(number: Double, text: String) throws(DateStringParser.Failure) {
        try append(try DateStringParser.whole(number), label: nil)
    }

    mutating func append(_ value: Int, label: Label?) throws(DateStringParser.Failure) {
        var label = label
        if value > 100 {
            centurySpecified = true
            guard label == nil || label == .year else { throw DateStringParser.Failure() }
            label = .year
        }
        try store(value, label: label)
    }

    private mutating func store(_ value: Int, label: Label?) throws(DateStringParser.Failure) {
        values.append(value)
        switch label {
        case .month?:
            guard monthIndex == nil else { throw DateStringParser.Failure() }
            monthIndex = values.count - 1
        case .day?:
            guard dayIndex == nil else { throw DateStringParser.Failure() }
            dayIndex = values.count - 1
        case .year?:
            guard yearIndex == nil else { throw DateStringParser.Failure() }
            yearIndex = values.count - 1
        case nil:
            break
        }
    }

    func couldBeDay(_ value: Double) -> Bool {
        if dayIndex != nil { return false }
        guard let monthIndex else { return value >= 1 && value <= 31 }
        let month = values[monthIndex]
        guard (1...12).contains(month) else { return false }
        let year = yearIndex.map { values[$0] } ?? 2000
        return value >= 1 && value <= Double(DateStringParser.daysIn(month: month, year: year))
    }

    func resolve(yearFirst: Bool, dayFirst: Bool) throws(DateStringParser.Failure) -> (Int?, Int?, Int?) {
        var known: [(Label, Int)] = []
        if let yearIndex { known.append((.year, yearIndex)) }
        if let monthIndex { known.append((.month, monthIndex)) }
        if let dayIndex { known.append((.day, dayIndex)) }
        let count = values.count
        if (count == known.count && count > 0) || (count == 3 && known.count == 2) {
            var year: Int?, month: Int?, day: Int?
            var used = Set(known.map(\.1))
            for (label, index) in known {
                switch label {
                case .year: year = values[index]
                case .month: month = values[index]
                case .day: day = values[index]
                }
            }
            if count == 3 && known.count == 2, let missing = (0..<3).first(where: { !used.contains($0) }) {
                used.insert(missing)
                if year == nil { year = values[missing] } else if month == nil { month = values[missing] } else { day = values[missing] }
            }
            return (year, month, day)
        }
        guard count <= 3 else { throw DateStringParser.Failure() }
        var year: Int?, month: Int?, day: Int?
        if count == 1 || (monthIndex != nil && count == 2) {
            let other: Int
            if let monthIndex {
                month = values[monthIndex]
                other = values[monthIndex == 0 ? count - 1 : monthIndex - 1]
            } else {
                other = values[0]
            }
            if count > 1 || monthIndex == nil {
                if other > 31 { year = other } else { day = other }
            }
        } else if count == 2 {
            if values[0] > 31 {
                (year, month) = (values[0], values[1])
            } else if values[1] > 31 {
                (month, year) = (values[0], values[1])
            } else if dayFirst && values[1] <= 12 {
                (day, month) = (values[0], values[1])
            } else {
                (month, day) = (values[0], values[1])
            }
        } else if count == 3 {
            let (a, b, c) = (values[0], values[1], values[2])
            switch monthIndex {
            case 0?:
                if b > 31 { (month, year, day) = (a, b, c) } else { (month, day, year) = (a, b, c) }
            case 1?:
                if a > 31 || (yearFirst && c <= 31) { (year, month, day) = (a, b, c) } else { (day, month, year) = (a, b, c) }
            case 2?:
                if b > 31 { (day, year, month) = (a, b, c) } else { (year, day, month) = (a, b, c) }
            default:
                if a > 31 || yearIndex == 0 || (yearFirst && b <= 12 && c <= 31) {
                    if dayFirst && c <= 12 { (year, day, month) = (a, b, c) } else { (year, month, day) = (a, b, c) }
                } else if a > 12 || (dayFirst && b <= 12) {
                    (day, month, year) = (a, b, c)
                } else {
                    (month, day, year) = (a, b, c)
                }
            }
        }
        return (year, month, day)
    }
}
