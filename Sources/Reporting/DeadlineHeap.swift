/// A binary min-heap of periodic-report deadlines. Entries are never removed from the middle:
/// when a key's deadline moves, a new entry is pushed and the old one is recognised as stale
/// when it reaches the top (its deadline no longer matches the cached record). The owner keeps
/// the top valid and rebuilds the heap when stale entries pile up, so memory stays O(keys).
struct DeadlineHeap {
    struct Entry {
        var deadline: Int64
        /// Push order: entries with the same deadline pop in the order they were scheduled,
        /// which keeps the keys of a periodic report in a stable, predictable order.
        var sequence: UInt64
        var id: DatapointID

        func precedes(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
        }
    }

    private var entries: [Entry] = []
    private var nextSequence: UInt64 = 0

    var count: Int { entries.count }
    var min: Entry? { entries.first }

    mutating func push(_ id: DatapointID, at deadline: Int64) {
        entries.append(Entry(deadline: deadline, sequence: nextSequence, id: id))
        nextSequence &+= 1
        siftUp(entries.count - 1)
    }

    @discardableResult
    mutating func popMin() -> Entry? {
        guard !entries.isEmpty else { return nil }
        if entries.count == 1 { return entries.removeLast() }
        let top = entries[0]
        entries[0] = entries.removeLast()
        siftDown(0)
        return top
    }

    /// Drops the entries `isStale` picks (keeping the others' order) and restores the heap.
    mutating func removeAll(where isStale: (Entry) -> Bool) {
        entries.removeAll(where: isStale)
        var index = entries.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
    }

    /// Moves every deadline by the same amount: the order, and so the heap, stays valid.
    mutating func shiftAll(by delta: Int64) {
        for index in entries.indices {
            entries[index].deadline = entries[index].deadline.saturatingAdd(delta)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { return }
            var smallest = left
            let right = left + 1
            if right < entries.count, entries[right].precedes(entries[left]) { smallest = right }
            guard entries[smallest].precedes(entries[parent]) else { return }
            entries.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
