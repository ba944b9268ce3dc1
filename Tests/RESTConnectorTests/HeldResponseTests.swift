import AsyncHTTPClient
import GatewayKit
@testable import RESTConnector
import Testing
import TestSupport

/// `responseExpected`: the device's HTTP reply waits for ThingsBoard's answer for that device.
@Suite(.serialized) struct HeldResponseTests {
    static func config(timeout: Double) -> String {
        """
        {"server": {"host": "127.0.0.1", "port": 0},
         "mapping": [{"endpoint": "/ask", "HTTPMethods": ["POST"],
           "response": {"responseExpected": true, "timeout": \(timeout), "responseAttribute": "answer",
                        "unsuccessfulResponse": "no answer"},
           "converter": {"type": "json",
             "deviceInfo": {"deviceNameExpressionSource": "request", "deviceNameExpression": "${name}"},
             "timeseries": [{"type": "int", "key": "v", "value": "${v}"}]}}]}
        """
    }

    /// Starts the request in a child task and waits until the connector holds it.
    private func heldRequest(_ running: RunningRESTConnector, device: String,
                             in group: inout ThrowingTaskGroup<HTTPResult, any Error>) async throws {
        let url = running.baseURL + "/ask"
        group.addTask { try await httpRequest(.POST, url, body: #"{"name": "\#(device)", "v": 1}"#) }
        let held = await waitUntil(timeout: 10) { running.connector.waiters.hasWaiter(for: device) }
        try #require(held)
    }

    @Test func anRPCForTheDeviceAnswersTheHeldRequest() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config(timeout: 20)))
        let result = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
            try await heldRequest(running, device: "D1", in: &group)
            // ThingsBoard saw the reading flagged responseExpected.
            let received = await running.context.received
            #expect(received.first?.attributes["responseExpected"] == true)
            let other = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "D2", id: 1, method: "answer",
                                                                           params: "x"))
            #expect(other["code"] == 404) // nothing of D2 is waiting
            let rpc = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "D1", id: 2, method: "answer",
                                                                         params: ["valve": "open"]))
            #expect(rpc == ["success": true])
            return try await group.next()!
        }
        #expect(result.status == 200)
        #expect(result.body == #"{"valve":"open"}"#)
        #expect(result.headers["Content-Type"] == ["application/json"])
        try await running.stop()
    }

    @Test func aSharedAttributeUpdateAnswersAsInTheReference() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config(timeout: 20)))
        let result = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
            try await heldRequest(running, device: "D3", in: &group)
            await running.connector.handleAttributeUpdate(AttributeUpdate(deviceName: "D3", values: ["answer": "go"]))
            return try await group.next()!
        }
        #expect(result.status == 200)
        #expect(result.body == "go")
        try await running.stop()
    }

    @Test func noAnswerIs408WithUnsuccessfulResponse() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config(timeout: 0.3)))
        let started = ContinuousClock.now
        let reply = try await httpRequest(.POST, running.baseURL + "/ask", body: #"{"name": "D4", "v": 1}"#)
        #expect(reply.status == 408)
        #expect(reply.body == "no answer")
        #expect(ContinuousClock.now - started >= .milliseconds(250))
        #expect(!running.connector.waiters.hasWaiter(for: "D4"))
        #expect(running.connector.waiters.heldCount == 0)
        try await running.stop()
    }

    @Test func stoppingReleasesHeldRequests() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config(timeout: 60)))
        let result = try await withThrowingTaskGroup(of: HTTPResult?.self) { group in
            let url = running.baseURL + "/ask"
            group.addTask { try? await httpRequest(.POST, url, body: #"{"name": "D5", "v": 1}"#) }
            let held = await waitUntil(timeout: 10) { running.connector.waiters.hasWaiter(for: "D5") }
            try #require(held)
            let stopped = ContinuousClock.now
            try await running.stop()
            #expect(ContinuousClock.now - stopped < .seconds(10))
            return try await group.next()!
        }
        // Either a 503 reply or a closed connection; never a 60 s wait.
        if let result { #expect(result.status == 503) }
    }

    @Test func waitersGoToTheirOwnDeviceOldestFirst() async throws {
        let waiters = RESTResponseWaiters(capacity: 2)
        await withTaskGroup(of: (String, RESTResponseWaiters.Outcome).self) { group in
            group.addTask { ("a1", await waiters.wait(for: "A", timeout: .seconds(10))) }
            _ = await waitUntil(timeout: 5) { waiters.hasWaiter(for: "A") }
            group.addTask { ("a2", await waiters.wait(for: "A", timeout: .seconds(10))) }
            _ = await waitUntil(timeout: 5) { waiters.heldCount == 2 }
            #expect(await waiters.wait(for: "B", timeout: .seconds(10)) == .unavailable) // over capacity
            #expect(!waiters.answer(device: "B", with: 0))
            #expect(waiters.answer(device: "A", with: 1))
            #expect(waiters.answer(device: "A", with: 2))
            var outcomes: [String: RESTResponseWaiters.Outcome] = [:]
            for await (name, outcome) in group { outcomes[name] = outcome }
            #expect(outcomes == ["a1": .answered(1), "a2": .answered(2)])
        }
        #expect(await waiters.wait(for: "C", timeout: .milliseconds(1)) == .timedOut)
        #expect(waiters.heldCount == 0)
    }
}
