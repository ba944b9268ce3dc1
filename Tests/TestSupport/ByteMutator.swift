/// Deterministic pseudo-random inputs for decoder robustness tests: mutations of valid frames
/// and documents (SplitMix64), so the same seed always gives the same inputs and a failure can be
/// replayed from the seed and the iteration it names.
public struct ByteMutator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 0 ..< bound (bound > 0).
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// Values decoders tend to treat specially: zero, the sign bit, all ones, length-field edges.
    private static let edgeBytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, 0x22, 0x5C, 0x7B, 0x5B]

    /// One to four random edits of `bytes`: a flipped bit, a replaced, inserted or deleted byte,
    /// an edge value, a truncation, or a repeated slice.
    public mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        for _ in 0...below(4) {
            switch below(7) {
            case 0 where !out.isEmpty:
                out[below(out.count)] ^= 1 << UInt8(below(8))
            case 1 where !out.isEmpty:
                out[below(out.count)] = UInt8(truncatingIfNeeded: next())
            case 2:
                out.insert(UInt8(truncatingIfNeeded: next()), at: below(out.count + 1))
            case 3 where !out.isEmpty:
                out.remove(at: below(out.count))
            case 4 where !out.isEmpty:
                out[below(out.count)] = Self.edgeBytes[below(Self.edgeBytes.count)]
            case 5 where !out.isEmpty:
                out.removeLast(below(out.count) + 1)
            case 6 where !out.isEmpty:
                let start = below(out.count)
                let slice = out[start..<min(out.count, start + 1 + below(8))]
                out.insert(contentsOf: slice, at: below(out.count + 1))
            default:
                out.append(UInt8(truncatingIfNeeded: next()))
            }
        }
        return out
    }

    /// `bytes` cut into random pieces, as reads would deliver it.
    public mutating func split(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + 1 + below(16))
            pieces.append(bytes[start..<end])
            start = end
        }
        return pieces
    }
}
