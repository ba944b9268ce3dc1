/// A subscription filter of a mapping (`sensor/+/data`, `site/#`, `$share/group/sensor/+`) and the
/// MQTT matching rules used to route a received message to the mappings that asked for it.
///
/// Matching follows the MQTT specification rather than the reference's regex rewrite: `+` is
/// exactly one level (possibly empty), `#` is any number of trailing levels including none (so
/// `a/#` also matches `a`), and a topic starting with `$` never matches a leading wildcard. The
/// broker delivers by these rules, so routing by them never drops a delivered message.
public struct MQTTTopicFilter: Sendable, Hashable, CustomStringConvertible {
    /// The filter as configured, sent in SUBSCRIBE unchanged (including a `$share/<group>/` prefix).
    public let filter: String
    /// The part that topics are matched against: `filter` without a shared-subscription prefix.
    public let matchFilter: String
    private let levels: [Level]

    enum Level: Hashable {
        /// The level's UTF-8 bytes, compared with the topic's bytes.
        case literal([UInt8])
        case singleLevel
        case multiLevel
    }

    /// Why a filter is unusable, for the config error.
    public struct Invalid: Error, Sendable, Equatable {
        public var reason: String
    }

    public init(_ filter: String) throws(Invalid) {
        guard !filter.isEmpty else { throw Invalid(reason: "a topic filter must not be empty") }
        var matchFilter = filter
        if filter.hasPrefix("$share/") {
            // $share/<group>/<filter>: the group names the consumers sharing the subscription.
            let parts = filter.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[1].isEmpty, !parts[2].isEmpty else {
                throw Invalid(reason: "a shared subscription must look like $share/<group>/<filter>")
            }
            guard !parts[1].contains("+"), !parts[1].contains("#") else {
                throw Invalid(reason: "a shared subscription group must not contain + or #")
            }
            matchFilter = String(parts[2])
        }
        var levels: [Level] = []
        let split = matchFilter.split(separator: "/", omittingEmptySubsequences: false)
        for (index, level) in split.enumerated() {
            switch level {
            case "+": levels.append(.singleLevel)
            case "#":
                guard index == split.count - 1 else { throw Invalid(reason: "'#' is only allowed as the last level") }
                levels.append(.multiLevel)
            default:
                guard !level.contains("+"), !level.contains("#") else {
                    throw Invalid(reason: "'+' and '#' must stand alone in a level (found \"\(level)\")")
                }
                levels.append(.literal(Array(level.utf8)))
            }
        }
        self.filter = filter
        self.matchFilter = matchFilter
        self.levels = levels
    }

    public var description: String { filter }

    /// Whether `topic` matches. Walks the topic's UTF-8 bytes level by level without splitting
    /// it: this runs for every received message and every route, and splitting allocated an
    /// array of substrings each time.
    public func matches(_ topic: String) -> Bool {
        var topic = topic
        return topic.withUTF8 { matches(utf8: $0) }
    }

    func matches(utf8 topic: UnsafeBufferPointer<UInt8>) -> Bool {
        let slash = UInt8(ascii: "/")
        if topic.first == UInt8(ascii: "$") {
            switch levels.first {
            case .singleLevel?, .multiLevel?: return false
            default: break
            }
        }
        var start = 0  // first byte of the topic level being matched
        var consumed = false  // every topic level has been matched
        for level in levels {
            if consumed {
                // Only `#` matches nothing: `a/#` matches `a`.
                if case .multiLevel = level { return true }
                return false
            }
            var end = start
            while end < topic.count, topic[end] != slash { end += 1 }
            switch level {
            case .multiLevel:
                return true
            case .singleLevel:
                break
            case .literal(let text):
                guard end - start == text.count,
                      text.withUnsafeBufferPointer({ $0.elementsEqual(topic[start..<end]) }) else { return false }
            }
            if end == topic.count { consumed = true } else { start = end + 1 }
        }
        return consumed
    }
}
