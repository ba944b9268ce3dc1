/// One `[a:b]` or `[i]` of the socket connector's expressions, applied to a message with Python
/// semantics (negative values count from the end, out-of-range slices are clipped).
struct SocketByteSelector: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case index(Int)
        case slice(Int?, Int?)
    }

    let kind: Kind

    /// The bytes selected; nil when a single index is out of range (Python's IndexError).
    func select(_ data: [UInt8]) -> ArraySlice<UInt8>? {
        switch kind {
        case .index(let index):
            let position = index < 0 ? data.count + index : index
            guard position >= 0, position < data.count else { return nil }
            return data[position...position]
        case .slice(let from, let to):
            return data[Self.sliceRange(from, to, count: data.count)]
        }
    }

    /// Python's `data[from:to]` bounds.
    static func sliceRange(_ from: Int?, _ to: Int?, count: Int) -> Range<Int> {
        func clamp(_ value: Int?, default defaultValue: Int) -> Int {
            guard var value else { return defaultValue }
            if value < 0 { value += count }
            return min(max(value, 0), count)
        }
        let start = clamp(from, default: 0)
        let end = clamp(to, default: count)
        return start..<max(start, end)
    }

    /// Every bracket the reference's pattern `\[\S[0-9:]*]` finds in `text`, in order, with the
    /// range it covers. Throws a reason when a bracket is not a usable index or slice.
    static func scan(_ text: String) throws(SelectorError) -> [(range: Range<String.Index>, selector: SocketByteSelector)] {
        var found: [(Range<String.Index>, SocketByteSelector)] = []
        var index = text.startIndex
        while index < text.endIndex {
            guard text[index] == "[" else {
                index = text.index(after: index)
                continue
            }
            var cursor = text.index(after: index)
            guard cursor < text.endIndex, !text[cursor].isWhitespace else {
                index = text.index(after: index)
                continue
            }
            cursor = text.index(after: cursor)
            while cursor < text.endIndex, text[cursor] == ":" || ("0"..."9").contains(text[cursor]) {
                cursor = text.index(after: cursor)
            }
            guard cursor < text.endIndex, text[cursor] == "]" else {
                index = text.index(after: index)
                continue
            }
            let inner = text[text.index(after: index)..<cursor]
            found.append((index..<text.index(after: cursor), try parse(inner)))
            index = text.index(after: cursor)
        }
        return found
    }

    private static func parse(_ inner: Substring) throws(SelectorError) -> SocketByteSelector {
        let pieces = inner.split(separator: ":", omittingEmptySubsequences: false)
        func bound(_ piece: Substring) throws(SelectorError) -> Int? {
            if piece.isEmpty { return nil }
            guard let value = Int(piece) else { throw SelectorError(reason: "\"[\(inner)]\": \"\(piece)\" is not an integer") }
            return value
        }
        switch pieces.count {
        case 1:
            guard let index = try bound(pieces[0]) else { throw SelectorError(reason: "\"[\(inner)]\" has no index") }
            return SocketByteSelector(kind: .index(index))
        case 2:
            return SocketByteSelector(kind: .slice(try bound(pieces[0]), try bound(pieces[1])))
        default:
            throw SelectorError(reason: "\"[\(inner)]\": slice steps are not supported")
        }
    }

    struct SelectorError: Error {
        var reason: String
    }
}
