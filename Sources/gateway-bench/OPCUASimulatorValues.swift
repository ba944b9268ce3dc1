import Foundation
import OPCUA
import Synchronization

/// The values of every bench variable at one instant.
///
/// All D × I variables change together once a second and v<k> is a pure function of (k, second),
/// exactly as in bench_server.py. So one small snapshot stands for all of them: a round "writes"
/// every value in O(1), any event loop reads the snapshot under a lock, and a subscription sees
/// "every value changed" by comparing round numbers instead of diffing 10,000 doubles.
struct OPCUASimulatorRound: Sendable, Equatable {
    /// 1 for the first round; subscriptions remember the last one they reported.
    var number: UInt64
    /// The Unix second the round stands for.
    var second: Int
    /// Source and server timestamp of every value of the round.
    var stamp: OPCUADateTime

    /// v<k> of any device: its index plus the second (bench_server.py: `base + second % 1000`).
    func value(item k: Int) -> Double { Double(k + second % 1000) }
}

/// The current round, shared by the tick task and every connection's event loop.
final class OPCUASimulatorValues: Sendable {
    private let current = Mutex(OPCUASimulatorRound(number: 0, second: 0, stamp: .null))

    var round: OPCUASimulatorRound { current.withLock { $0 } }

    func advance(second: Int, stamp: OPCUADateTime) {
        current.withLock { $0 = OPCUASimulatorRound(number: $0.number + 1, second: second, stamp: stamp) }
    }
}

/// What the simulator did, printed as one JSON line on SIGUSR1. Written from the tick task and the
/// event loops, read from the signal task: atomics, relaxed (each counter is independent).
final class OPCUASimulatorCounters: Sendable {
    let rounds = Atomic<Int>(0)
    /// Value changes made: D × I per round.
    let writes = Atomic<Int>(0)
    /// Rounds made a whole period or more after they were due: the simulator could not keep up.
    let lateRounds = Atomic<Int>(0)
    /// MonitoredItemNotifications sent in Publish responses.
    let notifications = Atomic<Int>(0)
    /// Publish responses sent (data and keep-alives).
    let publishResponses = Atomic<Int>(0)
    /// Sessions created since start; a stable figure means the gateway did not reconnect.
    let sessions = Atomic<Int>(0)
    let activeSessions = Atomic<Int>(0)
    private let lastRoundSeconds = Mutex(0.0)

    func recordRound(writes count: Int, seconds: Double, late: Bool) {
        rounds.wrappingAdd(1, ordering: .relaxed)
        writes.wrappingAdd(count, ordering: .relaxed)
        if late { lateRounds.wrappingAdd(1, ordering: .relaxed) }
        lastRoundSeconds.withLock { $0 = seconds }
    }

    /// The keys of bench_server.py first (compare.py reads those), then this server's own.
    var jsonLine: String {
        let last = (lastRoundSeconds.withLock { $0 } * 1000).rounded() / 1000
        return "{\"rounds\": \(rounds.load(ordering: .relaxed)), \"writes\": \(writes.load(ordering: .relaxed)), "
            + "\"late_rounds\": \(lateRounds.load(ordering: .relaxed)), \"last_round_s\": \(last), "
            + "\"notifications\": \(notifications.load(ordering: .relaxed)), "
            + "\"publish_responses\": \(publishResponses.load(ordering: .relaxed)), "
            + "\"sessions\": \(sessions.load(ordering: .relaxed)), "
            + "\"active_sessions\": \(activeSessions.load(ordering: .relaxed))}"
    }
}
