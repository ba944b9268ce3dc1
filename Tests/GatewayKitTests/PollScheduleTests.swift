import Testing
import GatewayKit

@Suite struct PollScheduleTests {
    @Test func devicesPollOnTheirPeriodsFromTheirPhases() {
        let start = ContinuousClock.now
        var schedule = PollSchedule(periods: [.seconds(1), .milliseconds(500)], phases: [.zero, .milliseconds(250)], start: start)
        var fired: [(device: Int, at: Duration)] = []
        var now = start
        while let slot = schedule.nextSlot, slot - start < .milliseconds(2100) {
            now = slot
            for due in schedule.takeDue(now: now) {
                #expect(due.skipped == 0)
                fired.append((due.device, now - start))
            }
        }
        // Slots lie on each period's grid (50 ms for 1 s, 25 ms for 500 ms), so each poll is at most
        // one step after its due time.
        let expected: [(Int, Duration)] = [(0, .zero), (1, .milliseconds(250)), (1, .milliseconds(750)), (0, .seconds(1)),
                                           (1, .milliseconds(1250)), (1, .milliseconds(1750)), (0, .seconds(2))]
        #expect(fired.count == expected.count)
        for (got, want) in zip(fired, expected) {
            #expect(got.device == want.0)
            let step: Duration = got.device == 0 ? .milliseconds(50) : .milliseconds(25)
            #expect(got.at >= want.1 && got.at - want.1 < step, "device \(got.device) at \(got.at), due \(want.1)")
        }
    }

    @Test func devicesDueInTheSameSlotComeTogether() {
        let start = ContinuousClock.now
        let phases: [Duration] = [.zero, .milliseconds(15), .milliseconds(35), .milliseconds(120)]
        var schedule = PollSchedule(periods: Array(repeating: .seconds(1), count: 4), phases: phases, start: start)
        let first = schedule.nextSlot!
        let together = schedule.takeDue(now: first).map(\.device)
        // The three devices due within one 50 ms step share a slot unless the grid splits them.
        #expect(together.allSatisfy { $0 < 3 })
        let rest = schedule.takeDue(now: first + .milliseconds(50)).map(\.device)
        #expect(Set(together + rest) == [0, 1, 2])
        #expect(schedule.takeDue(now: start + .milliseconds(119)).isEmpty)
        #expect(schedule.takeDue(now: start + .milliseconds(170)).map(\.device) == [3])
    }

    @Test func aLateSchedulerSkipsTheMissedPeriodsInsteadOfBursting() {
        let start = ContinuousClock.now
        var schedule = PollSchedule(periods: [.seconds(1)], phases: [.zero], start: start)
        #expect(schedule.takeDue(now: schedule.nextSlot!).map(\.skipped) == [0])
        // The poll due at 1 s woken 3.5 s late: it runs now, those due at 2, 3 and 4 s are skipped, next at 5 s.
        #expect(schedule.takeDue(now: start + .milliseconds(4500)) == [PollSchedule.Due(device: 0, skipped: 3)])
        #expect(schedule.takeDue(now: start + .milliseconds(4990)).isEmpty)
        let next = schedule.nextSlot!
        #expect(next - start >= .seconds(5) && next - start < .milliseconds(5050))
    }

    @Test func aScheduleWithoutDevicesHasNoSlot() {
        var schedule = PollSchedule(periods: [], phases: [], start: .now)
        #expect(schedule.nextSlot == nil)
        #expect(schedule.takeDue(now: .now).isEmpty)
    }
}
