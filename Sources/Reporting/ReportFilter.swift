import GatewayKit

/// The report-strategy filter (reference §4.2) as a pure state machine: the gateway's ingest
/// actor owns one, passes every connector message through `admit`, and sleeps until
/// `nextDeadline()` to collect the periodic reports from `due(now:)`. It has no clock, thread or
/// task of its own; every time is milliseconds since the Unix epoch, given by the caller, and
/// should not go backwards (a step back of more than a second is absorbed by moving every
/// schedule along with it).
///
/// Memory: one record per datapoint (connector, device, key, attribute-or-telemetry) that was
/// seen under a strategy other than ON_RECEIVED/DISABLED and received a value within its TTL
/// (expired records are swept at most a minute late), plus a deadline heap holding at most about
/// twice the number of periodic records. ON_RECEIVED traffic costs no memory at all.
public struct ReportFilter: Sendable {
    /// How often records past their TTL are swept out (they are also dropped when touched).
    static let sweepIntervalMs: Int64 = 60_000
    /// A clock step backwards larger than this moves all schedules with it; smaller ones are
    /// jitter between callers and are ignored.
    static let clockStepToleranceMs: Int64 = 1_000

    private let gatewayDefault: ReportStrategy
    /// `thingsboard.reportStrategy.type == DISABLED` switches the whole filter off, lower levels
    /// included, as in the reference (which then never creates its report-strategy service).
    private let switchedOff: Bool
    private var connectorDefaults: [String: ReportStrategy] = [:]
    private var cache: [DatapointID: CachedDatapoint] = [:]
    private var deadlines = DeadlineHeap()
    private var periodicCount = 0
    private var latestNow: Int64?
    private var nextSweepAt: Int64 = .max

    /// `gatewayDefault` is the main `thingsboard.reportStrategy` (nil = ON_RECEIVED). Its
    /// `reportPeriod` is used as configured: the reference's silent "minus 10 ms" on the main
    /// section is not copied.
    public init(gatewayDefault: ReportStrategy?) {
        let strategy = gatewayDefault ?? .onReceived
        self.gatewayDefault = strategy
        self.switchedOff = strategy.kind == .disabled
    }

    /// What a fresh filter forwards of a connector's first message: its readings under the
    /// connector's strategy over the ON_RECEIVED default (for `iot-gateway convert` and the
    /// reference-diff tests, which show one message as the first one the gateway sees).
    public static func admitFirst(_ data: [ConvertedData], connectorDefault: ReportStrategy?, now: Int64) -> [ConvertedData] {
        var filter = ReportFilter(gatewayDefault: nil)
        filter.setConnectorDefault(connectorDefault, for: "")
        return data.compactMap { filter.admit($0, from: "", now: now) }
    }

    /// Registers a connector's root `reportStrategy` (nil = none, the gateway default applies) as
    /// the connector starts, restarts with a changed configuration or is removed; each forgets what
    /// was cached for it, as the reference does when ThingsBoard changes or removes a connector
    /// (its next values count as first values, and a removed mapping's periodic reports stop),
    /// whether or not the root strategy itself changed.
    public mutating func setConnectorDefault(_ strategy: ReportStrategy?, for connector: String) {
        connectorDefaults[connector] = strategy
        forget(connector: connector)
    }

    /// Forgets every cached value and pending periodic report of `connector` (it was removed or
    /// restarted with a new configuration); its next values count as first values.
    public mutating func forget(connector: String) {
        let before = cache.count
        cache = cache.filter { $0.key.connector != connector }
        if cache.count != before { cacheShrank() }
    }

    /// ThingsBoard renamed a device (`gateway_device_renamed`): its cached values and pending
    /// periodic reports carry on under the new name, as in the reference (whose cache never sees
    /// the rename). Where the new name already has a record (data arrived under it first), that
    /// newer record is kept.
    public mutating func renameDevice(_ old: String, to new: String) {
        guard old != new, cache.keys.contains(where: { $0.device == old }) else { return }
        var renamed = cache.filter { $0.key.device != old }
        for (id, record) in cache where id.device == old {
            var newID = id
            newID.device = new
            guard renamed[newID] == nil else { continue }
            renamed[newID] = record
            if let deadline = record.deadline { deadlines.push(newID, at: deadline) }
        }
        cache = renamed
        cacheShrank()
    }

    /// The number of datapoints currently remembered, for metrics.
    public var cachedKeyCount: Int { cache.count }

    /// Heap entries, live and stale (tests check that it stays bounded).
    var scheduledEntryCount: Int { deadlines.count }

    /// The earliest time a periodic report is due, or nil when none is scheduled. At that time a
    /// call to `due(now:)` may still return nothing if every datapoint due then has expired.
    public func nextDeadline() -> Int64? {
        deadlines.min?.deadline
    }

    /// What to forward now from `data` (nil when nothing is left), updating the cache.
    /// Resolution per datapoint: key (`data.keyReportStrategies`) > device (`data.reportStrategy`)
    /// > connector > gateway. Telemetry entries keep their order and their `ts`; an entry whose
    /// values are all held back disappears. When every level is ON_RECEIVED or DISABLED the input
    /// is returned as it is, without looking at a single datapoint.
    public mutating func admit(_ data: ConvertedData, from connector: String, now: Int64) -> ConvertedData? {
        if switchedOff { return data.isEmpty ? nil : data }
        let deviceDefault = data.reportStrategy ?? connectorDefaults[connector] ?? gatewayDefault
        if deviceDefault.isPassThrough, data.keyReportStrategies.values.allSatisfy(\.isPassThrough) {
            return data.isEmpty ? nil : data
        }
        advanceClock(to: now)
        let origin = Origin(connector: connector, device: data.deviceName, deviceType: data.deviceType,
                            deviceDefault: deviceDefault, keyStrategies: data.keyReportStrategies, now: now)
        var output = data
        var dropped = false
        var telemetry: [TelemetryEntry] = []
        telemetry.reserveCapacity(data.telemetry.count)
        for entry in data.telemetry {
            guard let kept = filter(entry.values, isAttribute: false, origin) else {
                telemetry.append(entry)
                continue
            }
            dropped = true
            if !kept.isEmpty { telemetry.append(TelemetryEntry(ts: entry.ts, values: kept)) }
        }
        if dropped { output.telemetry = telemetry }
        if let kept = filter(data.attributes, isAttribute: true, origin) {
            output.attributes = kept
        }
        dropStaleTop()
        return output.isEmpty ? nil : output
    }

    /// Every periodic report due at `now`: one ConvertedData per connector and device, in the
    /// order the reports fell due. Each datapoint's latest value is sent stamped with `now`
    /// (telemetry as one entry with `ts = now`, attributes as attributes). Datapoints past their
    /// TTL are forgotten instead of reported.
    public mutating func due(now: Int64) -> [(connector: String, data: ConvertedData)] {
        advanceClock(to: now)
        var reports: OrderedDictionary<DeviceRef, ConvertedData> = [:]
        while let top = deadlines.min, top.deadline <= now {
            deadlines.popMin()
            guard let index = cache.index(forKey: top.id), cache.values[index].deadline == top.deadline else {
                continue  // stale: the datapoint was rescheduled or forgotten
            }
            if cache.values[index].isExpired(at: now) {
                cache.remove(at: index)
                periodicCount -= 1
                continue
            }
            let value = cache.values[index].latest
            cache.values[index].forwarded = value
            cache.values[index].pending = nil
            if let next = Self.nextPeriodicDeadline(after: top.deadline, period: cache.values[index].strategy.reportPeriodMs, now: now) {
                cache.values[index].deadline = next
                deadlines.push(top.id, at: next)
            } else {
                cache.values[index].deadline = nil
                periodicCount -= 1
            }
            let device = DeviceRef(connector: top.id.connector, device: top.id.device)
            let deviceType = cache.values[index].deviceType
            reports[device, default: ConvertedData(deviceName: device.device, deviceType: deviceType)]
                .add(top.id.key, value, isAttribute: top.id.isAttribute, ts: now)
        }
        dropStaleTop()
        return reports.map { (connector: $0.key.connector, data: $0.value) }
    }

    // MARK: - Internals

    /// Where one message's datapoints come from and which strategy applies by default.
    private struct Origin {
        var connector: String
        var device: String
        var deviceType: String
        var deviceDefault: ReportStrategy
        var keyStrategies: [String: ReportStrategy]
        var now: Int64
    }

    private struct DeviceRef: Hashable {
        var connector: String
        var device: String
    }

    /// `values` without the datapoints held back, or nil when all of them are forwarded (so the
    /// caller keeps the original without a copy).
    private mutating func filter(_ values: JSONObject, isAttribute: Bool, _ origin: Origin) -> JSONObject? {
        var kept: JSONObject?
        for (offset, element) in values.elements.enumerated() {
            let strategy = origin.keyStrategies.isEmpty
                ? origin.deviceDefault : origin.keyStrategies[element.key] ?? origin.deviceDefault
            if shouldForward(element.value, key: element.key, isAttribute: isAttribute, strategy: strategy, origin) {
                kept?[element.key] = element.value
            } else if kept == nil {
                kept = JSONObject(uniqueKeysWithValues: values.elements.prefix(offset).map { ($0.key, $0.value) })
            }
        }
        return kept
    }

    private mutating func shouldForward(_ value: JSONValue, key: String, isAttribute: Bool,
                                        strategy: ReportStrategy, _ origin: Origin) -> Bool {
        if strategy.isPassThrough { return true }
        let id = DatapointID(connector: origin.connector, device: origin.device, key: key, isAttribute: isAttribute)
        if let index = cache.index(forKey: id) {
            let current = cache.values[index]
            if current.strategy == strategy, !current.isExpired(at: origin.now) {
                switch cache.values[index].receive(value, deviceType: origin.deviceType, at: origin.now) {
                case .forward:
                    return true
                case .forwardAndReschedule(let deadline):
                    deadlines.push(id, at: deadline)
                    compactIfBloated()
                    return true
                case .hold:
                    return false
                }
            }
            // Expired, or now under another strategy: this value starts the datapoint afresh.
            if current.deadline != nil { periodicCount -= 1 }
            cache.remove(at: index)
        }
        let deadline = strategy.isPeriodic ? origin.now.saturatingAdd(strategy.reportPeriodMs) : nil
        cache[id] = CachedDatapoint(strategy: strategy, deviceType: origin.deviceType, forwarded: value, pending: nil,
                                    expiresAt: CachedDatapoint.expiry(after: origin.now, ttlSeconds: strategy.ttlSeconds),
                                    deadline: deadline)
        if let deadline {
            periodicCount += 1
            deadlines.push(id, at: deadline)
        }
        return true
    }

    /// Fixed-rate schedule: the next report is one period after the one just made was due, so
    /// a late wake-up does not push every later report back; after a long stall it restarts
    /// from `now` instead of sending a burst. Nil only when the period saturates `Int64`.
    private static func nextPeriodicDeadline(after deadline: Int64, period: Int64, now: Int64) -> Int64? {
        let next = deadline.saturatingAdd(period)
        if next > now { return next }
        let fromNow = now.saturatingAdd(period)
        return fromNow > now ? fromNow : nil
    }

    private mutating func advanceClock(to now: Int64) {
        guard let latest = latestNow else {
            latestNow = now
            nextSweepAt = now.saturatingAdd(Self.sweepIntervalMs)
            return
        }
        if now < latest.saturatingAdd(-Self.clockStepToleranceMs) {
            shiftSchedules(by: now - latest)
            latestNow = now
        } else if now > latest {
            latestNow = now
        }
        if now >= nextSweepAt {
            sweepExpired(at: now)
            nextSweepAt = now.saturatingAdd(Self.sweepIntervalMs)
        }
    }

    /// The wall clock stepped back by `-delta` ms: move every deadline and expiry the same way,
    /// so periodic reports keep their rhythm instead of stalling for the length of the step.
    private mutating func shiftSchedules(by delta: Int64) {
        for index in cache.values.indices {
            if let deadline = cache.values[index].deadline {
                cache.values[index].deadline = deadline.saturatingAdd(delta)
            }
            if cache.values[index].expiresAt != .max {
                cache.values[index].expiresAt = cache.values[index].expiresAt.saturatingAdd(delta)
            }
        }
        deadlines.shiftAll(by: delta)
        nextSweepAt = nextSweepAt.saturatingAdd(delta)
    }

    private mutating func sweepExpired(at now: Int64) {
        guard cache.values.contains(where: { $0.isExpired(at: now) }) else { return }
        cache = cache.filter { !$0.value.isExpired(at: now) }
        cacheShrank()
    }

    /// After records were removed in bulk: recount and drop their heap entries.
    private mutating func cacheShrank() {
        periodicCount = cache.values.reduce(0) { $0 + ($1.deadline == nil ? 0 : 1) }
        removeStaleEntries()
    }

    /// Rescheduling leaves the old heap entry behind; rebuild before they outnumber live ones.
    private mutating func compactIfBloated() {
        if deadlines.count > 2 * periodicCount + 64 { removeStaleEntries() }
    }

    private mutating func removeStaleEntries() {
        let cache = self.cache
        deadlines.removeAll { cache[$0.id]?.deadline != $0.deadline }
    }

    /// Keeps the heap's top live, so `nextDeadline()` is exact.
    private mutating func dropStaleTop() {
        while let top = deadlines.min, cache[top.id]?.deadline != top.deadline {
            deadlines.popMin()
        }
    }
}

extension ConvertedData {
    /// Adds one periodically reported value; all telemetry of one report shares one entry.
    fileprivate mutating func add(_ key: String, _ value: JSONValue, isAttribute: Bool, ts: Int64) {
        if isAttribute {
            attributes[key] = value
        } else if telemetry.isEmpty {
            telemetry.append(TelemetryEntry(ts: ts, values: [key: value]))
        } else {
            telemetry[0].values[key] = value
        }
    }
}
