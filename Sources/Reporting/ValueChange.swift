import GatewayKit

/// Whether a new reading counts as a change for ON_CHANGE, following the reference's
/// `__is_equal` (Python `==`, with a float tolerance only between two top-level floats).
enum ValueChange {
    /// Two top-level doubles closer than this are the same reading (reference: `abs(a - b) < 0.001`).
    static let doubleTolerance = 0.001

    static func isChange(from old: JSONValue, to new: JSONValue) -> Bool {
        if case .double(let a) = old, case .double(let b) = new {
            // Written as `!(… < …)` so NaN and ∞ − ∞ count as changes, as in the reference.
            return !(abs(a - b) < doubleTolerance)
        }
        return !sameValue(old, new)
    }

    /// Python-style equality on JSON values: integers and doubles compare by numeric value
    /// (`1 == 1.0`), objects ignore key order, everything else must be the same kind and equal.
    /// Deliberate difference: a boolean never equals a number (Python has `True == 1`).
    static func sameValue(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.uint(let a), .uint(let b)): return a == b
        case (.uint(let a), .double(let b)), (.double(let b), .uint(let a)): return UInt64(exactly: b) == a
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)):
            // Exact, like Python: converting the int to Double would round large values.
            return Int64(exactly: b) == a
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { sameValue($0, $1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let other = b[key], sameValue(value, other) else { return false }
            }
            return true
        default:
            return false
        }
    }
}
