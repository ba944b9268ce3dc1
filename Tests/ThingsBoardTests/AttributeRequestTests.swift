import Foundation
import GatewayKit
import Logging
import MQTT
import NIOCore
import Testing
import TestSupport
import ThingsBoard

/// `v1/gateway/attributes/request` → `.../response` against mosquitto, with a peer playing
/// ThingsBoard that answers (or doesn't) the way ThingsBoard does.
@Suite(.timeLimit(.minutes(2))) struct AttributeRequestTests {
    @Test func repliesAreMatchedByIdAndMissingRepliesTimeOut() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let answering = try await AttributeResponder(port: broker.port)
        let client = ThingsBoardClient(
            configuration: ThingsBoardConnectionConfiguration(host: "127.0.0.1", port: broker.port, credentials: .accessToken("T"),
                                                              sessionLimitsTimeout: .milliseconds(200)),
            logger: Logger(label: "test"))
        let run = Task { await client.run() }
        defer { run.cancel() }
        #expect(await waitReady(client))

        // Two requests at once: each gets its own answer.
        async let single = client.requestDeviceAttributes(device: "Dev A", keys: ["relay"], client: false, timeout: .seconds(5))
        async let several = client.requestDeviceAttributes(device: "Dev B", keys: ["a", "b"], client: true, timeout: .seconds(5))
        let (one, two) = await (single, several)
        #expect(one?["device"] == "Dev A")
        #expect(one?["value"] == "shared:relay")
        #expect(two?["device"] == "Dev B")
        #expect(two?["values"] == ["a": "client:a", "b": "client:b"])
        // The request on the wire has the reference's shape.
        let requests = await answering.requests()
        #expect(requests.contains { $0["device"] == "Dev A" && $0["client"] == false && $0["keys"] == ["relay"] })

        await answering.stop()
        let started = ContinuousClock.now
        let unanswered = await client.requestDeviceAttributes(device: "Dev C", keys: ["x"], client: false, timeout: .milliseconds(500))
        #expect(unanswered == nil)
        #expect(ContinuousClock.now - started < .seconds(3))
    }
}

/// A device asking while the gateway is not (yet) connected to ThingsBoard gets its answer once
/// the session is up, within the request's timeout; past it, nil.
@Suite(.timeLimit(.minutes(2))) struct AttributeRequestBeforeSessionTests {
    @Test func aRequestMadeBeforeTheSessionIsAnsweredOnceItIsUp() async throws {
        let port = freeTCPPort()
        let client = ThingsBoardClient(
            configuration: ThingsBoardConnectionConfiguration(
                // The session is ready a second after the broker is up: the responder has subscribed by then.
                host: "127.0.0.1", port: port, credentials: .accessToken("T"), sessionLimitsTimeout: .seconds(1),
                reconnectBackoff: ExponentialBackoff(initial: .milliseconds(100), maximum: .milliseconds(300))),
            logger: Logger(label: "test"))
        let run = Task { await client.run() }
        defer { run.cancel() }
        let early = Task { await client.requestDeviceAttributes(device: "Dev A", keys: ["relay"], client: false, timeout: .seconds(15)) }
        let tooEarly = await client.requestDeviceAttributes(device: "Dev Z", keys: ["x"], client: false, timeout: .milliseconds(300))
        #expect(tooEarly == nil, "no session within its timeout")

        let broker = try Mosquitto(port: port)
        defer { broker.stop() }
        let answering = try await AttributeResponder(port: broker.port)
        defer { Task { await answering.stop() } }
        let answer = await early.value
        #expect(answer?["value"] == "shared:relay", "\(String(describing: answer))")
    }
}

/// Answers attribute requests like ThingsBoard: `value` for one key, `values` for several.
actor AttributeResponder {
    let client: MQTTClient
    private var received: [JSONValue] = []
    private var task: Task<Void, Never>?

    init(port: Int) async throws {
        var configuration = MQTTClientConfiguration(host: "127.0.0.1", port: port, clientID: "attribute-responder")
        configuration.version = .v5
        client = MQTTClient(configuration: configuration, logger: Logger(label: "responder"))
        _ = try await client.connect()
        _ = try await client.subscribe([MQTTSubscription(filter: "v1/gateway/attributes/request", qos: .atLeastOnce, noLocal: true)])
        let client = self.client
        task = Task {
            for await message in client.messages {
                guard let request = try? JSONValue.parse(Array(message.payload.readableBytesView)) else { continue }
                await self.record(request)
                let scope = request["client"] == true ? "client" : "shared"
                let keys = request["keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
                var reply: JSONObject = ["id": request["id"] ?? .null, "device": request["device"] ?? .null]
                if keys.count == 1 {
                    reply["value"] = .string("\(scope):\(keys[0])")
                } else {
                    reply["values"] = .object(JSONObject(uniqueKeysWithValues: keys.map { ($0, JSONValue.string("\(scope):\($0)")) }))
                }
                _ = try? await client.publish(MQTTMessage(topic: "v1/gateway/attributes/response",
                                                          payload: ByteBuffer(bytes: JSONValue.object(reply).jsonBytes), qos: .atLeastOnce))
            }
        }
    }

    private func record(_ request: JSONValue) { received.append(request) }
    func requests() -> [JSONValue] { received }

    func stop() async {
        task?.cancel()
        await client.shutdown()
    }
}
