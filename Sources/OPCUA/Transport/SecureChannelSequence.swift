/// Sequence numbers of one direction of a secure channel (Part 6 §6.7.2.4): each chunk's number is
/// the previous plus one; after 4 294 966 271 (UInt32.max - 1024) the sender wraps to a value below 1024.
struct SecureChannelSequence: Sendable {
    static let wrapThreshold: UInt32 = UInt32.max - 1024

    /// Outgoing: the number the next chunk gets.
    private(set) var nextToSend: UInt32 = 1
    /// Incoming: the last accepted number, nil before the first chunk.
    private(set) var lastReceived: UInt32?

    init(firstToSend: UInt32 = 1) { nextToSend = firstToSend }

    mutating func takeNext() -> UInt32 {
        let number = nextToSend
        nextToSend = number >= Self.wrapThreshold ? 1 : number + 1
        return number
    }

    /// Accepts the next incoming number or throws when one was lost or replayed.
    mutating func accept(_ number: UInt32) throws(UATCPError) {
        if let last = lastReceived {
            let wrapped = last >= Self.wrapThreshold && number < 1024
            guard number == last &+ 1 || wrapped else {
                throw .sequenceNumberMismatch(expected: last &+ 1, received: number)
            }
        }
        lastReceived = number
    }
}
