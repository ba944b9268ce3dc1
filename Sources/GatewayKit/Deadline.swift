/// Thrown by `withDeadline` when the time ran out.
public struct DeadlinePassed: Error, Sendable, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "no result within \(limit)" }
}

/// Runs `body`, giving up after `limit` with `DeadlinePassed` (`body` is then cancelled).
public func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlinePassed(limit: limit)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// `operation`'s result, or nil when it takes longer than `limit` (it is then cancelled).
public func withTimeout<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await operation() }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
