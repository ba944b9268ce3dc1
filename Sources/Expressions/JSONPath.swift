import GatewayKit

/// The path part of a `${...}` placeholder, parsed once: the subset of jsonpath-rw (which the
/// reference uses) that the reference's placeholder syntax lets through — `a.b`, `a[0]`,
/// `a[-1]`, `a[*]`, `a[1:3]`, `a.*`, `a..b`, `"quoted key"`, a leading `$` — plus plain keys
/// holding spaces or other characters (the reference quotes dotted sections with spaces).
/// Evaluation walks the `JSONValue` tree and stops at the first match, as the reference uses
/// only the first match.
struct JSONPath: Sendable, Equatable {
    enum Step: Sendable, Equatable {
        case field(String)
        case index(Int)
        /// `[*]` (both nil) or `[start:end]`; objects and scalars count as one-element lists, as
        /// in jsonpath-rw.
        case slice(Int?, Int?)
        /// `*`: every value of an object.
        case anyField
        /// `..`: the rest of the path is tried at this value and at every value below it.
        case descendants
    }

    let steps: [Step]
    /// True when the path only has `.field`/`.index` steps: evaluated without recursion.
    let isSimple: Bool

    init(parsing text: String) throws(ExpressionError) {
        var steps: [Step] = []
        let characters = Array(text)
        var position = 0
        func fail(_ reason: String) -> ExpressionError {
            ExpressionError(expression: "${\(text)}", reason: reason)
        }
        if characters.count > 2 && characters[0] == "." && characters[1] == "." {
            // "..key": anywhere in the message (jsonpath-rw needs "$..key" for this).
            steps.append(.descendants)
            position = 2
        } else if characters.first == "$" || characters.first == "@" {
            // A leading "$" (or jsonpath's "@", the current value) is the message itself: "$",
            // "$.a", "$..a", "$[0]".
            if characters.count == 1 {
                position = 1
            } else if characters[1] == "[" {
                position = 1
            } else if characters[1] == "." {
                if characters.count > 2 && characters[2] == "." {
                    steps.append(.descendants)
                    position = 3
                } else {
                    position = 2
                }
                guard position < characters.count else { throw fail("the path ends with \".\"") }
            }
        }
        var expectSegment = position < characters.count
        while position < characters.count || expectSegment {
            guard position < characters.count else { throw fail("the path ends with \".\"") }
            let character = characters[position]
            if character == "[" {
                guard let close = characters[position...].firstIndex(of: "]") else {
                    throw fail("\"[\" without \"]\"")
                }
                steps.append(try Self.bracketStep(String(characters[(position + 1)..<close]), fail: fail))
                position = close + 1
            } else if character == "\"" {
                guard let close = characters[(position + 1)...].firstIndex(of: "\"") else {
                    throw fail("unterminated quoted key")
                }
                steps.append(.field(String(characters[(position + 1)..<close])))
                position = close + 1
            } else if character == "*" && (position + 1 == characters.count || characters[position + 1] == "."
                                           || characters[position + 1] == "[") {
                steps.append(.anyField)
                position += 1
            } else {
                var end = position
                while end < characters.count && characters[end] != "." && characters[end] != "[" { end += 1 }
                guard end > position else { throw fail("empty key in path") }
                steps.append(.field(String(characters[position..<end])))
                position = end
            }
            expectSegment = false
            // What may follow a segment: end, "[", ".", "..".
            if position < characters.count {
                if characters[position] == "." {
                    if position + 1 < characters.count && characters[position + 1] == "." {
                        steps.append(.descendants)
                        position += 2
                    } else {
                        position += 1
                    }
                    expectSegment = true
                } else if characters[position] != "[" {
                    throw fail("unexpected \"\(characters[position])\" after a key")
                }
            }
        }
        self.steps = steps
        self.isSimple = steps.allSatisfy {
            switch $0 {
            case .field, .index: return true
            default: return false
            }
        }
    }

    private static func bracketStep(_ inner: String, fail: (String) -> ExpressionError) throws(ExpressionError) -> Step {
        let trimmed = inner.trimmingSpaces
        if trimmed == "*" { return .slice(nil, nil) }
        if let index = Int(trimmed) { return .index(index) }
        if trimmed.contains(":") {
            let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw fail("slice steps are not supported: [\(inner)]") }
            let start = parts[0].isEmpty ? nil : Int(parts[0].trimmingSpaces)
            let end = parts[1].isEmpty ? nil : Int(parts[1].trimmingSpaces)
            guard parts[0].isEmpty || start != nil, parts[1].isEmpty || end != nil else {
                throw fail("slice bounds must be integers: [\(inner)]")
            }
            return .slice(start, end)
        }
        if trimmed.count >= 2, trimmed.first == "\"", trimmed.last == "\"" {
            return .field(String(trimmed.dropFirst().dropLast()))
        }
        guard !trimmed.isEmpty else { throw fail("empty brackets \"[]\"") }
        return .field(trimmed)
    }

    /// The first value the path selects in `root`, or nil.
    func first(in root: JSONValue) -> JSONValue? {
        if isSimple {
            var current = root
            for step in steps {
                switch step {
                case .field(let key):
                    guard case .object(let object) = current, let next = object[key] else { return nil }
                    current = next
                case .index(let index):
                    guard case .array(let elements) = current,
                          let position = Self.resolve(index, count: elements.count) else { return nil }
                    current = elements[position]
                default:
                    return nil
                }
            }
            return current
        }
        return match(from: 0, in: root)
    }

    private func match(from stepIndex: Int, in value: JSONValue) -> JSONValue? {
        guard stepIndex < steps.count else { return value }
        switch steps[stepIndex] {
        case .field(let key):
            guard case .object(let object) = value, let next = object[key] else { return nil }
            return match(from: stepIndex + 1, in: next)
        case .index(let index):
            guard case .array(let elements) = value,
                  let position = Self.resolve(index, count: elements.count) else { return nil }
            return match(from: stepIndex + 1, in: elements[position])
        case .slice(let start, let end):
            let elements: [JSONValue]
            switch value {
            case .array(let array): elements = array
            case .object, .int, .uint, .string: elements = [value]
            default: return nil
            }
            for position in Self.sliceRange(start, end, count: elements.count) {
                if let found = match(from: stepIndex + 1, in: elements[position]) { return found }
            }
            return nil
        case .anyField:
            guard case .object(let object) = value else { return nil }
            for element in object.values {
                if let found = match(from: stepIndex + 1, in: element) { return found }
            }
            return nil
        case .descendants:
            if let found = match(from: stepIndex + 1, in: value) { return found }
            switch value {
            case .array(let elements):
                for element in elements {
                    if let found = match(from: stepIndex, in: element) { return found }
                }
            case .object(let object):
                for element in object.values {
                    if let found = match(from: stepIndex, in: element) { return found }
                }
            default: break
            }
            return nil
        }
    }

    /// Python indexing: negative counts from the end.
    static func resolve(_ index: Int, count: Int) -> Int? {
        let position = index < 0 ? count + index : index
        return position >= 0 && position < count ? position : nil
    }

    /// Python slice bounds `[start:end]` clamped to `0..<count`.
    static func sliceRange(_ start: Int?, _ end: Int?, count: Int) -> Range<Int> {
        func clamp(_ bound: Int?, default defaultValue: Int) -> Int {
            guard let bound else { return defaultValue }
            let position = bound < 0 ? count + bound : bound
            return min(max(position, 0), count)
        }
        let lower = clamp(start, default: 0)
        let upper = clamp(end, default: count)
        return lower < upper ? lower..<upper : lower..<lower
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }
}
