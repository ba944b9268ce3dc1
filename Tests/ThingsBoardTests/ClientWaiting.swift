import ThingsBoard

/// The result of `operation`, or nil when it has none within `seconds`: a test must never wait
/// without a bound, since a hung test would stall the whole CI run.
func withinSeconds<T: Sendable>(_ seconds: Double, _ operation: @escaping @Sendable () async -> T?) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await operation() }
        group.addTask {
            try? await Task.sleep(for: .seconds(seconds))
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

/// True when the client's session became ready within `seconds`.
func waitReady(_ client: ThingsBoardClient, seconds: Double = 10) async -> Bool {
    await withinSeconds(seconds) { (try? await client.waitUntilReady()) != nil ? true : nil } ?? false
}

/// The first message the client decodes from ThingsBoard, or nil after `seconds`.
func firstInbound(of client: ThingsBoardClient, within seconds: Double) async -> ThingsBoardInbound? {
    await withinSeconds(seconds) {
        for await message in client.inbound { return message }
        return nil
    }
}
