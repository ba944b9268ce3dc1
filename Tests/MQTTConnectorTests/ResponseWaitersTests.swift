import GatewayKit
import Logging
import MQTT
import Testing
@testable import MQTTConnector

@Suite struct ResponseWaitersTests {
    func message(_ topic: String, _ text: String = "x") -> MQTTMessage {
        MQTTMessage(topic: topic, payload: text)
    }

    @Test func theOldestMatchingWaiterTakesEachAnswerOnce() async throws {
        let waiters = MQTTResponseWaiters()
        let shared = try MQTTTopicFilter("r/+")
        let (first, firstAnswer) = waiters.register(shared)
        let (second, secondAnswer) = waiters.register(shared)
        let (_, otherAnswer) = waiters.register(try MQTTTopicFilter("other"))
        #expect(waiters.filters == ["r/+", "other"])
        #expect(!waiters.deliver(message("unrelated")))
        #expect(waiters.deliver(message("r/1", "one")))
        #expect(waiters.deliver(message("r/2", "two")))
        #expect(!waiters.deliver(message("r/3")))  // nobody left for it
        #expect(await MQTTResponseWaiters.first(of: firstAnswer, within: .seconds(1))?.text == "one")
        #expect(await MQTTResponseWaiters.first(of: secondAnswer, within: .seconds(1))?.text == "two")
        #expect(waiters.release(first, filter: shared))
        #expect(waiters.release(second, filter: shared))
        // A waiter nobody answers times out.
        let started = ContinuousClock.now
        #expect(await MQTTResponseWaiters.first(of: otherAnswer, within: .milliseconds(50)) == nil)
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func releaseSaysWhetherTheFilterIsStillInUse() throws {
        let waiters = MQTTResponseWaiters()
        let filter = try MQTTTopicFilter("r/1")
        let (a, _) = waiters.register(filter)
        let (b, _) = waiters.register(filter)
        #expect(!waiters.release(a, filter: filter))
        #expect(waiters.release(b, filter: filter))
        #expect(waiters.count == 0)
    }

    @Test func pythonRegexMatchAndSearch() throws {
        let regex = try PythonRegex("SN-\\d+")
        #expect(regex.matchesAtStart("SN-12/x"))
        #expect(!regex.matchesAtStart("x/SN-12"))
        #expect(regex.occurs(in: "x/SN-12"))
        #expect(try PythonRegex("").matchesAtStart("anything"))
        #expect(try PythonRegex("(?P<n>a)b").occurs(in: "ab"))
        #expect(throws: PythonRegex.Invalid.self) { try PythonRegex("(") }
    }

    @Test func subscriptionsThatAlreadyDeliverAResponseTopicCoverIt() throws {
        let configuration = try parse(#"""
            {"broker": {"host": "h"}, "mapping": [
              {"topicFilter": "sensor/+/response/#", "converter": {"type": "json", "deviceInfo": {"deviceNameExpression": "x"}}},
              {"topicFilter": "$share/g/shared/+", "converter": {"type": "json", "deviceInfo": {"deviceNameExpression": "x"}}}]}
            """#)
        let router = try MQTTUplinkRouter(configuration: configuration, file: "mqtt.json", logger: Logger(label: "test"))
        #expect(router.covers(try MQTTTopicFilter("sensor/SN-1/response/echo/1")))
        #expect(router.covers(try MQTTTopicFilter("sensor/+/response/#")))
        #expect(!router.covers(try MQTTTopicFilter("sensor/+/response/x")))
        #expect(!router.covers(try MQTTTopicFilter("sensor/SN-1/reply/1")))
        #expect(!router.covers(try MQTTTopicFilter("shared/a")))  // another group member may get it
    }
}
