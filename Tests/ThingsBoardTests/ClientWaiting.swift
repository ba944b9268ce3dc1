import ThingsBoard

/// True when the client's session became ready within `seconds`.
func waitReady(_ client: ThingsBoardClient, seconds: Double = 10) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask { (try? await client.waitUntilReady()) != nil }
        group.addTask {
            try? await Task.sleep(for: .seconds(seconds))
            return false
        }
        let first = await group.next() ?? false
        group.cancelAll()
        return first
    }
}

/// The first message the client decodes from ThingsBoard, or nil after `seconds` (a test must
/// never wait without a bound: a hung test would stall the whole CI run).
func firstInbound(of client: ThingsBoardClient, within seconds: Double) async -> ThingsBoardInbound? {
    await withTaskGroup(of: ThingsBoardInbound?.self) { group in
        group.addTask {
            for await message in client.inbound { return message }
            return nil
        }
        group.addTask {
            try? await Task.sleep(for: .seconds(seconds))
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
