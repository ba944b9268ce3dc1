import Collections

/// When each of a connector's devices polls next, so that one scheduler task can start every
/// poll: devices need no long-lived task each (on the 500-device Modbus benchmark those cost
/// about 9 KiB of task memory per device), and polls due in the same slot of their `PollGrid`
/// start together.
///
/// Each device polls every `period`, first `phase` after the start. A device whose due time
/// passed by more than a period (the scheduler was late) skips the periods it missed; they are
/// reported, never made up in a burst.
public struct PollSchedule: Sendable {
    public struct Due: Sendable, Equatable {
        /// The device's index in the `periods` given at the start.
        public var device: Int
        /// Periods missed before this one.
        public var skipped: Int

        public init(device: Int, skipped: Int) {
            self.device = device
            self.skipped = skipped
        }
    }

    private struct Entry: Comparable, Sendable {
        /// When the poll starts: `due` rounded up onto the device's grid.
        var slot: ContinuousClock.Instant
        var due: ContinuousClock.Instant
        var device: Int

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            lhs.slot != rhs.slot ? lhs.slot < rhs.slot : lhs.device < rhs.device
        }
    }

    private var entries: Heap<Entry>
    private let periods: [Duration]
    private let grids: [PollGrid]

    /// `phases[i]` is device i's first delay after `start`.
    public init(periods: [Duration], phases: [Duration], start: ContinuousClock.Instant) {
        precondition(periods.count == phases.count, "one phase per device")
        self.periods = periods
        grids = periods.map { PollGrid(period: $0) }
        var entries = Heap<Entry>()
        for (device, period) in periods.enumerated() where period > .zero {
            let due = start + phases[device]
            entries.insert(Entry(slot: grids[device].slot(atOrAfter: due), due: due, device: device))
        }
        self.entries = entries
    }

    /// The earliest slot at which a device is due; nil when no device polls.
    public var nextSlot: ContinuousClock.Instant? { entries.min?.slot }

    /// The devices whose slot has come by `now`, in slot order; each is rescheduled a period
    /// after its due time (skipping periods already over).
    public mutating func takeDue(now: ContinuousClock.Instant) -> [Due] {
        var due: [Due] = []
        while let first = entries.min, first.slot <= now {
            var entry = entries.removeMin()
            let period = periods[entry.device]
            var next = entry.due + period
            var skipped = 0
            if next < now {
                skipped = Int(((now - next) / period).rounded(.down)) + 1
                next += period * skipped
            }
            due.append(Due(device: entry.device, skipped: skipped))
            entry.due = next
            entry.slot = grids[entry.device].slot(atOrAfter: next)
            entries.insert(entry)
        }
        return due
    }
}
