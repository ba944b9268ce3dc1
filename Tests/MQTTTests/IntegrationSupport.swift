import Logging
import MQTT
import NIOCore
import Synchronization
import TestSupport

func makeClient(_ broker: Mosquitto, id: String, version: MQTTVersion = .v5, clean: Bool = true,
                configure: (inout MQTTClientConfiguration) -> Void = { _ in }) -> MQTTClient {
    var configuration = MQTTClientConfiguration(host: "127.0.0.1", port: broker.port, clientID: id, version: version,
                                                cleanSession: clean, connectTimeout: .seconds(60))
    configure(&configuration)
    return MQTTClient(configuration: configuration, logger: Logger(label: "test.\(id)"))
}

/// `MQTTClient.messages` has a single consumer; tests read it through one `Inbox` per client.
actor Inbox {
    private var received: [MQTTMessage] = []
    private var reader: Task<Void, Never>?

    init(_ client: MQTTClient) {
        let messages = client.messages
        reader = nil
        Task { await self.start(messages) }
    }

    private func start(_ messages: MQTTMessageSequence) {
        reader = Task {
            for await message in messages { self.append(message) }
        }
    }

    private func append(_ message: MQTTMessage) { received.append(message) }

    /// Removes and returns the first `count` messages, waiting up to `seconds` for them.
    func take(_ count: Int, seconds: Double = 30) async throws -> [MQTTMessage] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while received.count < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        try #require(received.count >= count, "got \(received.count) of \(count) messages")
        let result = Array(received.prefix(count))
        received.removeFirst(count)
        return result
    }

    var pending: Int { received.count }
}

// Holds the client too, so its ObjectIdentifier cannot be reused by another test's client.
private let inboxes = Mutex<[ObjectIdentifier: (MQTTClient, Inbox)]>([:])

/// Reads `count` messages of `client` (through its one inbox) or fails after `seconds`.
func collect(_ client: MQTTClient, count: Int, seconds: Double = 30) async throws -> [MQTTMessage] {
    let inbox = inboxes.withLock { boxes in
        if let existing = boxes[ObjectIdentifier(client)] { return existing.1 }
        let created = Inbox(client)
        boxes[ObjectIdentifier(client)] = (client, created)
        return created
    }
    return try await inbox.take(count, seconds: seconds)
}

/// How many messages arrived but were not taken yet.
func collectPending(_ client: MQTTClient) async -> Int {
    let inbox = inboxes.withLock { $0[ObjectIdentifier(client)]?.1 }
    return await inbox?.pending ?? 0
}

extension ByteBuffer {
    var text: String { String(buffer: self) }
}

import Testing
