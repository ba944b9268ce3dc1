import Collections

/// Runs jobs one at a time and in arrival order per lane, different lanes at once: what
/// ThingsBoard sends for one device (shared-attribute updates, RPCs) must reach it in the order
/// it was sent (`relay=true` then `relay=false` must not end on). A lane exists only while it
/// has work; the caller starts one `drain` per lane when `enqueue` asks for it.
actor OrderedLanes {
    typealias Job = @Sendable () async -> Void

    enum Enqueued: Equatable {
        /// The lane was idle: start `drain(lane)`.
        case startLane
        /// Behind the lane's running job.
        case queued
        /// The lane already holds `maxPendingPerLane` jobs.
        case dropped
    }

    private var lanes: [String: Deque<Job>] = [:]
    private let maxPendingPerLane: Int

    init(maxPendingPerLane: Int = 1000) {
        self.maxPendingPerLane = maxPendingPerLane
    }

    func enqueue(_ lane: String, _ job: @escaping Job) -> Enqueued {
        guard var pending = lanes[lane] else {
            lanes[lane] = [job]
            return .startLane
        }
        guard pending.count < maxPendingPerLane else { return .dropped }
        lanes[lane] = nil  // keeps the deque uniquely referenced while it grows
        pending.append(job)
        lanes[lane] = pending
        return .queued
    }

    /// Runs the lane's jobs until it is empty; the lane then ends (the next `enqueue` starts it
    /// again). The jobs run off this actor, so other lanes are not held up.
    func drain(_ lane: String) async {
        while let job = next(lane) { await job() }
    }

    private func next(_ lane: String) -> Job? {
        guard let job = lanes[lane]?.first else {
            lanes[lane] = nil
            return nil
        }
        lanes[lane]?.removeFirst()
        return job
    }
}
