import Foundation

/// A browse path as configs write it: BrowseNames separated by `\.`, e.g.
/// `Root\.Objects\.Boiler.*\.2:Temperature`. Each segment may carry a namespace prefix (`2:`)
/// and may be a regular expression (`Boiler.*`, `Pump\d+`); a segment matches a node when its
/// name equals the BrowseName literally or, failing that, the expression matches the whole name.
public struct OPCUABrowsePath: Sendable, Hashable, CustomStringConvertible {
    public var segments: [OPCUAPathSegment]

    public init(segments: [OPCUAPathSegment]) {
        self.segments = segments
    }

    /// Splits `text` at `\.`. When `text` has no `\.` but starts with `Root.` (the spelling RPC
    /// params use), plain dots separate the segments.
    public init(parsing text: String) {
        let separator = "\\."
        var parts: [Substring]
        if text.contains(separator) {
            parts = text.split(separator: separator, omittingEmptySubsequences: false)
        } else if text.hasPrefix("Root.") {
            parts = text.split(separator: ".", omittingEmptySubsequences: false)
        } else {
            parts = [Substring(text)]
        }
        parts = parts.map { $0.trimmingCharacters(in: .whitespaces)[...] }
        segments = parts.map { OPCUAPathSegment(String($0)) }
    }

    /// True when the first segment is `Root` (any case), i.e. the path starts at the Root folder.
    public var startsAtRoot: Bool {
        guard let first = segments.first else { return false }
        return first.namespace == nil || first.namespace == 0 ? first.name.lowercased() == "root" : false
    }

    /// The segments below Root (the path without its `Root` segment, when it has one).
    public var belowRoot: [OPCUAPathSegment] { startsAtRoot ? Array(segments.dropFirst()) : segments }

    /// The last segment's name, e.g. the key-like name of the node this path points to.
    public var lastName: String? { segments.last?.name }

    public var description: String { segments.map(\.description).joined(separator: "\\.") }
}

/// One BrowseName of a browse path: optional namespace index and a name or pattern.
public struct OPCUAPathSegment: Sendable, Hashable, CustomStringConvertible {
    public var namespace: UInt16?
    public var name: String
    /// The name compiled as a regular expression when it contains pattern characters and is a
    /// valid expression; nil when it can only match literally.
    private let pattern: CompiledPattern?

    public init(_ text: String) {
        var name = Substring(text)
        var namespace: UInt16?
        if let colon = text.firstIndex(of: ":"), colon != text.startIndex,
           let index = UInt16(text[..<colon]) {
            namespace = index
            name = text[text.index(after: colon)...]
        }
        self.namespace = namespace
        self.name = String(name)
        pattern = CompiledPattern(self.name)
    }

    /// True when this segment names the node with BrowseName `namespace:name`.
    public func matches(namespace: UInt16, name: String) -> Bool {
        if let wanted = self.namespace, wanted != namespace { return false }
        if name == self.name { return true }
        return pattern?.matchesWhole(name) ?? false
    }

    /// True when the segment can match more than one name (it is a pattern, not a plain name).
    public var isPattern: Bool { pattern != nil }

    public var description: String { namespace.map { "\($0):\(name)" } ?? name }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.namespace == rhs.namespace && lhs.name == rhs.name
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(namespace)
        hasher.combine(name)
    }
}

/// A segment's regular expression, compiled once when the config is read.
/// `@unchecked Sendable`: NSRegularExpression is documented immutable and thread safe, and the
/// box is never mutated after init.
private struct CompiledPattern: @unchecked Sendable {
    let expression: NSRegularExpression

    /// Characters that make a name a pattern; a name without them can only match literally, so
    /// most paths never touch the regex engine.
    private static let special = Set("\\^$.|?*+()[]{}")

    init?(_ name: String) {
        guard name.contains(where: { Self.special.contains($0) }),
              // Anchored on both ends: Python's re.fullmatch, also for alternations ("Dev|Device").
              let expression = try? NSRegularExpression(
                  pattern: "^(?:" + name.replacingOccurrences(of: "(?P<", with: "(?<") + ")$")
        else { return nil }
        self.expression = expression
    }

    func matchesWhole(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
