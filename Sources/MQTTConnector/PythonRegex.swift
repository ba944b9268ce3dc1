import Foundation

/// A regular expression of the downlink configuration (`deviceNameFilter`, `attributeFilter`,
/// `methodFilter`), compiled once at config load and applied the way the reference applies it
/// with Python's `re`: `matchesAtStart` is `re.match` (anchored at the start only), `occurs(in:)`
/// is `re.search`. An empty pattern matches everything, as in Python.
struct PythonRegex: Sendable, Equatable, CustomStringConvertible {
    struct Invalid: Error {}

    let pattern: String
    private let compiled: CompiledRegex?

    init(_ pattern: String) throws(Invalid) {
        self.pattern = pattern
        guard !pattern.isEmpty else {
            compiled = nil
            return
        }
        // Python's named-group spelling; ICU only knows (?<name>...).
        let translated = pattern.replacingOccurrences(of: "(?P<", with: "(?<")
        do {
            compiled = CompiledRegex(try NSRegularExpression(pattern: translated))
        } catch {
            throw Invalid()
        }
    }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.pattern == rhs.pattern }

    var description: String { pattern }

    /// Python `re.match(pattern, text) is not None`.
    func matchesAtStart(_ text: String) -> Bool {
        guard let compiled else { return true }
        return compiled.value.firstMatch(in: text, options: [.anchored], range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Python `re.search(pattern, text) is not None`.
    func occurs(in text: String) -> Bool {
        guard let compiled else { return true }
        return compiled.value.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

/// NSRegularExpression objects are documented as immutable and thread safe ("NSRegularExpression
/// objects are immutable and thread safe"); the box only tells the compiler. Never mutated after init.
private struct CompiledRegex: @unchecked Sendable {
    let value: NSRegularExpression
    init(_ value: NSRegularExpression) { self.value = value }
}
