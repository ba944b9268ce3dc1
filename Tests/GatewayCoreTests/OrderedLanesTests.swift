@testable import GatewayCore
import Synchronization
import Testing

/// What ThingsBoard sends for one device is handled in arrival order, one job at a time; other
/// devices are not held up by a slow one.
struct OrderedLanesTests {
    final class Journal: Sendable {
        let entries = Mutex<[String]>([])
        func note(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    @Test func jobsOfALaneRunInOrderOneAtATimeWhileOtherLanesGoOn() async {
        let lanes = OrderedLanes()
        let journal = Journal()
        await withDiscardingTaskGroup { group in
            func submit(_ lane: String, _ name: String, sleep: Duration) async {
                let job: OrderedLanes.Job = {
                    journal.note("\(name) start")
                    try? await Task.sleep(for: sleep)
                    journal.note("\(name) end")
                }
                if await lanes.enqueue(lane, job) == .startLane { group.addTask { await lanes.drain(lane) } }
            }
            await submit("relay", "relay=true", sleep: .milliseconds(300))
            await submit("relay", "relay=false", sleep: .zero)
            await submit("pump", "pump=on", sleep: .zero)
        }
        let entries = journal.all
        #expect(entries.filter { $0.hasPrefix("relay") } == ["relay=true start", "relay=true end", "relay=false start", "relay=false end"])
        let pumpDone = entries.firstIndex(of: "pump=on end") ?? .max
        let slowDone = entries.firstIndex(of: "relay=true end") ?? .max
        #expect(pumpDone < slowDone, "another device waited for the slow one: \(entries)")
    }

    @Test func aLaneStartsAgainAfterItRanDryAndAFullLaneDropsTheExcess() async {
        let lanes = OrderedLanes(maxPendingPerLane: 2)
        #expect(await lanes.enqueue("d", {}) == .startLane)
        #expect(await lanes.enqueue("d", {}) == .queued)
        #expect(await lanes.enqueue("d", {}) == .dropped)
        await lanes.drain("d")
        #expect(await lanes.enqueue("d", {}) == .startLane)
    }
}
