import GatewayKit

/// Timestamps of `tsField` values and of a message's own `ts`/`timestamp` field, as epoch
/// milliseconds.
public enum TimestampParser {
    /// Below this magnitude a number is taken as epoch seconds, above as milliseconds
    /// (1e11 s is the year 5138; 1e11 ms is 1973-03-03).
    static let secondsLimit: Double = 100_000_000_000

    /// A `tsField` value: a number or numeric text is epoch seconds or milliseconds (chosen by
    /// magnitude); other text is a date read as python-dateutil reads it (ISO 8601, "10.11.25
    /// 10:35:12.123", "Oct 20, 2025 5:03 PM", RFC 2822, ...) honouring dayFirst/yearFirst. A
    /// digit-only text of 6, 8, 12 or 14 digits is a compact date (YYMMDD, YYYYMMDD[hhmm[ss]]),
    /// as dateutil reads it. nil if unparseable.
    ///
    /// The reference passes numbers to dateutil too, which refuses them, and then falls back to
    /// the message's ts; reading them as epoch times is a deliberate improvement.
    public static func milliseconds(from value: JSONValue, dayFirst: Bool, yearFirst: Bool) -> Int64? {
        switch value {
        case .int(let number):
            return epochMilliseconds(Double(number), exact: number)
        case .uint(let number):
            return epochMilliseconds(Double(number), exact: nil)
        case .double(let number):
            return epochMilliseconds(number, exact: nil)
        case .string(let text):
            let trimmed = text.trimmingSpaces
            let isDigits = !trimmed.isEmpty && trimmed.allSatisfy(\.isASCIIDigitCharacter)
            if isDigits && ![6, 8, 12, 14].contains(trimmed.count), let number = Int64(trimmed) {
                return epochMilliseconds(Double(number), exact: number)
            }
            if !isDigits, let number = PythonText.parseFloat(trimmed), number.isFinite,
               trimmed.allSatisfy({ $0.isASCIIDigitCharacter || $0 == "." || $0 == "-" || $0 == "+" }) {
                return epochMilliseconds(number, exact: nil)
            }
            return DateStringParser(dayFirst: dayFirst, yearFirst: yearFirst).milliseconds(trimmed)
        default:
            return nil
        }
    }

    private static func epochMilliseconds(_ number: Double, exact: Int64?) -> Int64? {
        guard number.isFinite else { return nil }
        if number.magnitude < secondsLimit {
            if let exact { return exact * 1000 }
            return Int64((number * 1000).rounded(.towardZero))
        }
        if let exact { return exact }
        guard number.magnitude < 9.2e18 else { return nil }
        return Int64(number.rounded(.towardZero))
    }

    /// A message's own `ts` field (or `timestamp` when there is no `ts` key). The reference
    /// passes this value through unchanged as the telemetry time, so a number is milliseconds
    /// as written (a fraction is cut); numeric text likewise; other text is read as a date
    /// (an improvement: the reference would forward the text itself). nil when absent, null or
    /// unreadable.
    public static func messageTimestamp(in message: JSONValue) -> Int64? {
        guard case .object(let object) = message else { return nil }
        guard let value = object["ts"] ?? object["timestamp"] else { return nil }
        switch value {
        case .int(let number): return number
        case .double(let number):
            guard number.isFinite, number.magnitude < 9.2e18 else { return nil }
            return Int64(number.rounded(.towardZero))
        case .string(let text):
            let trimmed = text.trimmingSpaces
            if let number = Int64(trimmed) { return number }
            if let number = PythonText.parseFloat(trimmed), number.isFinite, number.magnitude < 9.2e18,
               trimmed.allSatisfy({ $0.isASCIIDigitCharacter || $0 == "." || $0 == "-" || $0 == "+" }) {
                return Int64(number.rounded(.towardZero))
            }
            return DateStringParser(dayFirst: false, yearFirst: false).milliseconds(trimmed)
        default:
            return nil
        }
    }
}
