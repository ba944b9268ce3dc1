import Foundation

/// A topic expression such as `(?<=sensor/)(.*?)(?=/data)`: the regular expression is searched
/// in the topic (not anchored, like Python's `re.search`); the result is the last capture group
/// that took part in the match (Python's `lastindex`), else the whole match.
///
/// NSRegularExpression is used because topic expressions rely on lookbehind, which Swift Regex
/// lacks. Python-only group syntax (`(?P<name>...)`, `(?P=name)`) is translated.
public struct TopicExpression: Sendable {
    public let pattern: String
    private let regex: SendableRegex

    public init(_ pattern: String) throws(ExpressionError) {
        self.pattern = pattern
        do {
            regex = SendableRegex(try NSRegularExpression(pattern: Self.translatePythonSyntax(pattern)))
        } catch {
            throw ExpressionError(expression: pattern, reason: "not a valid regular expression")
        }
    }

    public func evaluate(topic: String) -> String? {
        let whole = NSRange(topic.startIndex..<topic.endIndex, in: topic)
        guard let match = regex.value.firstMatch(in: topic, range: whole) else { return nil }
        let range = match.range(at: Self.lastGroupIndex(of: match))
        guard range.location != NSNotFound, let bounds = Range(range, in: topic) else { return nil }
        return String(topic[bounds])
    }

    /// Python's `lastindex`: the group that closed last, i.e. the participating group with the
    /// greatest end; on a tie the outer (lower-numbered) group, which closes after its inner ones.
    static func lastGroupIndex(of match: NSTextCheckingResult) -> Int {
        var best = 0
        var bestEnd = -1
        for group in stride(from: 1, to: match.numberOfRanges, by: 1) {
            let range = match.range(at: group)
            guard range.location != NSNotFound else { continue }
            let end = range.location + range.length
            if end > bestEnd {
                best = group
                bestEnd = end
            }
        }
        return best
    }

    static func translatePythonSyntax(_ pattern: String) -> String {
        guard pattern.contains("(?P") else { return pattern }
        var out = pattern.replacingOccurrences(of: "(?P<", with: "(?<")
        // (?P=name) → \k<name>
        while let start = out.range(of: "(?P="), let end = out[start.upperBound...].firstIndex(of: ")") {
            let name = out[start.upperBound..<end]
            out.replaceSubrange(start.lowerBound...end, with: "\\k<\(name)>")
        }
        return out
    }
}

/// NSRegularExpression is documented as immutable and safe to use from several threads at once
/// ("NSRegularExpression objects are immutable and thread safe"); this box only states that to
/// the compiler. The wrapped value is never mutated after init.
struct SendableRegex: @unchecked Sendable {
    let value: NSRegularExpression
    init(_ value: NSRegularExpression) { self.value = value }
}
