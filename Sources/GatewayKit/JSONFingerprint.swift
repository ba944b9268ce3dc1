/// A 128-bit digest of a JSON document under `JSONValue.isEquivalent(to:)`: equivalent documents
/// (object keys in any order, `1` and `1.0`) get equal fingerprints, different ones practically
/// never do. It lets long-lived state remember which configuration is running without keeping the
/// parsed tree, which for a 500-device Modbus file is about 6 MiB.
///
/// Valid within one process only: `Hasher` is seeded per run.
public struct JSONFingerprint: Hashable, Sendable {
    private let first: Int
    private let second: Int

    public init(_ document: JSONValue) {
        var first = Hasher()
        first.combine(0x5EED_0001)
        var second = Hasher()
        second.combine(0x5EED_0002)
        document.combineEquivalence(into: &first, &second)
        self.first = first.finalize()
        self.second = second.finalize()
    }
}

extension JSONValue {
    fileprivate func combineEquivalence(into first: inout Hasher, _ second: inout Hasher) {
        func combine<T: Hashable>(_ tag: UInt8, _ value: T) {
            first.combine(tag); first.combine(value)
            second.combine(tag); second.combine(value)
        }
        switch self {
        case .null: combine(0, 0)
        case .bool(let value): combine(1, value)
        case .int(let value):
            // `isEquivalent` compares an int with a double by value: hash exactly representable
            // ints as that double. Larger ones can only equal another int.
            if let exact = Double(exactly: value) { combine(2, exact) } else { combine(3, value) }
        case .uint(let value):
            if let exact = Double(exactly: value) { combine(2, exact) } else { combine(8, value) }
        case .double(let value): combine(2, value)
        case .string(let value): combine(4, value)
        case .array(let elements):
            combine(5, elements.count)
            for element in elements { element.combineEquivalence(into: &first, &second) }
        case .object(let object):
            combine(6, object.count)
            for (key, value) in object.elements.sorted(by: { $0.key < $1.key }) {
                combine(7, key)
                value.combineEquivalence(into: &first, &second)
            }
        }
    }
}
