import Testing
import GatewayKit

@Suite struct PollGridTests {
    @Test func slotsAreNeverEarlyAndAtMostOneStepLate() {
        let grid = PollGrid(period: .seconds(1))
        #expect(grid.step == .milliseconds(50))
        let start = ContinuousClock.now
        for offset in stride(from: 0, to: 50_000, by: 733) {
            let instant = start + .microseconds(offset)
            let slot = grid.slot(atOrAfter: instant)
            #expect(slot >= instant)
            #expect(slot - instant < grid.step)
        }
    }

    @Test func pollsDueInTheSameSlotWakeTogether() {
        let grid = PollGrid(period: .seconds(1))
        let first = grid.slot(atOrAfter: .now)
        // Every instant in (slot − step, slot] maps to that slot; the next one starts a new slot.
        #expect(grid.slot(atOrAfter: first - .milliseconds(49)) == first)
        #expect(grid.slot(atOrAfter: first - .microseconds(1)) == first)
        #expect(grid.slot(atOrAfter: first) == first)
        #expect(grid.slot(atOrAfter: first + .microseconds(1)) == first + .milliseconds(50))
        // Another device's grid with the same step shares the slots.
        #expect(PollGrid(period: .seconds(5)).slot(atOrAfter: first - .milliseconds(3)) == first)
    }

    @Test func fastPollsGetAFinerGrid() {
        #expect(PollGrid(period: .milliseconds(500)).step == .milliseconds(25))
        #expect(PollGrid(period: .milliseconds(100)).step == .milliseconds(5))
        #expect(PollGrid(period: .milliseconds(3)).step == .milliseconds(1))
        #expect(PollGrid(period: .seconds(60)).step == .milliseconds(50))
    }
}
