import Foundation
import Logging
import MQTT
import Synchronization

/// A device on the external broker, played by our own MQTT client: it records what it receives
/// on its subscriptions and may answer each message (two-way RPCs).
final class TestDevice: Sendable {
    let client: MQTTClient
    private let seen = MessageLog()
    private let reader = Mutex<Task<Void, Never>?>(nil)

    /// Connects and subscribes (SUBACK received when this returns). `answer` returns the message
    /// to publish in reply to a received one, or nil.
    init(port: Int, subscribe filters: [String],
         answer: @escaping @Sendable (MQTTMessage) -> MQTTMessage? = { _ in nil }) async throws {
        client = MQTTClient(configuration: MQTTClientConfiguration(host: "127.0.0.1", port: port,
                                                                   clientID: "device-\(UUID().uuidString.prefix(8))"),
                            logger: Logger(label: "test-device"))
        _ = try await client.connect()
        let client = self.client
        let seen = self.seen
        let task = Task {
            for await message in client.messages {
                seen.append(message)
                if let reply = answer(message) { _ = try? await client.publish(reply) }
            }
        }
        reader.withLock { $0 = task }
        if !filters.isEmpty {
            _ = try await client.subscribe(filters.map { MQTTSubscription(filter: $0, qos: .atLeastOnce) })
        }
    }

    var messages: [MQTTMessage] { seen.all }

    func messages(on topic: String) -> [MQTTMessage] { messages.filter { $0.topic == topic } }

    func publish(_ topic: String, _ payload: String) async throws {
        let result = try await client.publish(MQTTMessage(topic: topic, payload: payload, qos: .atLeastOnce))
        precondition(result.isSuccess, "broker refused \(topic)")
    }

    func stop() async {
        reader.withLock { $0?.cancel() }
        await client.shutdown()
    }
}

extension MQTTMessage {
    var text: String { String(decoding: payload.readableBytesView, as: UTF8.self) }
}

/// What a test device received, appended by its reader task, read by the test.
final class MessageLog: Sendable {
    private let messages = Mutex<[MQTTMessage]>([])

    func append(_ message: MQTTMessage) { messages.withLock { $0.append(message) } }

    var all: [MQTTMessage] { messages.withLock { $0 } }
}
