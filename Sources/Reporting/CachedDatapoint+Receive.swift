import GatewayKit

extension CachedDatapoint {
    enum Receipt: Equatable {
        /// Send the new value now.
        case forward
        /// Send the new value now and move the periodic report to `deadline`.
        case forwardAndReschedule(deadline: Int64)
        /// Do not send it (unchanged, or waiting for the next periodic report).
        case hold
    }

    /// A later value of an already cached datapoint, received at `now`. Every value received
    /// keeps the record alive for another TTL, so a key that keeps reporting is never forgotten.
    mutating func receive(_ value: JSONValue, deviceType: String, at now: Int64) -> Receipt {
        expiresAt = Self.expiry(after: now, ttlSeconds: strategy.ttlSeconds)
        if self.deviceType != deviceType { self.deviceType = deviceType }
        switch strategy.kind {
        case .onChange:
            guard ValueChange.isChange(from: forwarded, to: value) else { return .hold }
            forwarded = value
            return .forward
        case .onReportPeriod:
            pending = value
            return .hold
        case .onChangeOrReportPeriod:
            guard ValueChange.isChange(from: forwarded, to: value) else {
                // Within tolerance: not sent now, but the periodic report carries the latest reading.
                pending = value
                return .hold
            }
            forwarded = value
            pending = nil
            // A change is a report: the period starts again from here.
            let next = now.saturatingAdd(strategy.reportPeriodMs)
            deadline = next
            return .forwardAndReschedule(deadline: next)
        case .onReceived, .disabled:
            return .forward
        }
    }
}
