/// What one call of a stream decoder did, for `ByteMutator.feed`.
public enum FeedStep {
    case produced, needsMore, failed
}

extension ByteMutator {
    /// Feeds `input` to a stream decoder in random pieces, as reads deliver them: after each piece
    /// `step` runs until the decoder needs more bytes. On `failed` the feed ends when
    /// `stopAtFailure` (a connection that closes on its first error), else the decoder carries on.
    /// Returns false when the decoder keeps returning without consuming input (more calls than it
    /// could need: one per byte consumed, one per piece waiting for more).
    public mutating func feed(_ input: [UInt8], stopAtFailure: Bool, append: (ArraySlice<UInt8>) -> Void,
                              step: () -> FeedStep) -> Bool {
        var calls = 0
        for piece in split(input) {
            append(piece)
            decoding: while true {
                calls += 1
                guard calls <= 4 * input.count + 16 else { return false }
                switch step() {
                case .produced: continue decoding
                case .needsMore: break decoding
                case .failed: if stopAtFailure { return true }
                }
            }
        }
        return true
    }
}
