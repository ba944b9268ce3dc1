import Foundation

/// A `deviceNameFilter` / `attributeFilter` / `methodFilter` of the Request and REST connectors:
/// a Python regular expression that must match the whole name (`re.fullmatch`, as both reference
/// connectors apply it). Compiled once at config load.
public struct HTTPNameFilter: Sendable, CustomStringConvertible {
    public struct Invalid: Error, Sendable {}

    public let pattern: String
    private let regex: CompiledPattern

    public init(_ pattern: String) throws(Invalid) {
        self.pattern = pattern
        // Python's named-group spellings; ICU only knows (?<name>...) and \k<name>.
        var translated = pattern.replacingOccurrences(of: "(?P<", with: "(?<")
        translated = translated.replacingOccurrences(of: #"\(\?P=(\w+)\)"#, with: #"\\k<$1>"#, options: .regularExpression)
        do {
            // Anchored at both ends: `(?:a|ab)\z` finds "ab" where a first match would stop at "a".
            regex = CompiledPattern(try NSRegularExpression(pattern: "(?:" + translated + ")\\z"))
        } catch {
            throw Invalid()
        }
    }

    public var description: String { pattern }

    /// Python `re.fullmatch(pattern, name) is not None`.
    public func matches(_ name: String) -> Bool {
        regex.value.firstMatch(in: name, options: [.anchored], range: NSRange(name.startIndex..., in: name)) != nil
    }
}

/// NSRegularExpression objects are documented as immutable and thread safe ("NSRegularExpression
/// objects are immutable and thread safe"); this box only tells the compiler. Never mutated after init.
private struct CompiledPattern: @unchecked Sendable {
    let value: NSRegularExpression
    init(_ value: NSRegularExpression) { self.value = value }
}
