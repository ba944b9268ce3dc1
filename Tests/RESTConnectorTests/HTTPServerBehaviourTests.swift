import GatewayKit
@testable import RESTConnector
import Testing
import TestSupport

/// What the connector's own HTTP server does with what devices send on the wire, over plain TCP:
/// pipelined requests, size limits, HTTP/1.0, `Expect: 100-continue`, malformed requests.
@Suite(.serialized) struct HTTPServerBehaviourTests {
    static let config = """
    {"server": {"host": "127.0.0.1", "port": 0, "maxBodySize": 64},
     "mapping": [
       {"endpoint": "/in", "HTTPMethods": ["POST"],
        "response": {"successResponse": "OK"},
        "converter": {"type": "json",
          "deviceInfo": {"deviceNameExpressionSource": "request", "deviceNameExpression": "${name}"},
          "timeseries": [{"type": "int", "key": "n", "value": "${n}"}]}}
     ]}
    """

    /// A JSON POST's head (up to the blank line), with `extraHeaders` (each ending in CRLF).
    static func postHead(path: String = "/in", length: Int, extraHeaders: String = "") -> String {
        "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(length)\r\n"
            + extraHeaders + "\r\n"
    }

    static func post(_ body: String, path: String = "/in", close: Bool = false) -> String {
        postHead(path: path, length: body.utf8.count, extraHeaders: close ? "Connection: close\r\n" : "") + body
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let connection = try RawHTTPConnection(port: running.port)
        try connection.send(Self.post(#"{"name": "A", "n": 1}"#) + Self.post("{}", path: "/nowhere")
                            + Self.post(#"{"name": "A", "n": 2}"#) + Self.post(#"{"name": "A", "n": 3}"#, close: true))
        let replies = connection.receiveUntilClosed()
        #expect(statusCodes(in: replies) == [200, 404, 200, 200])
        #expect(replies.lowercased().contains("\r\ndate: "))
        let received = await running.context.received
        #expect(received.map { $0.telemetry.first?.values["n"] } == [1, 2, 3])
        try await running.stop()
    }

    @Test func bodiesOverMaxBodySizeGet413AndNothingIsSent() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let large = #"{"name": "A", "n": 1, "padding": "\#(String(repeating: "x", count: 80))"}"#
        // Declared length over the limit: refused before the body is read.
        let declared = try RawHTTPConnection(port: running.port)
        try declared.send(Self.post(large))
        #expect(statusCodes(in: declared.receiveUntilClosed()) == [413])
        // Chunked: refused when the body grows over the limit.
        let chunked = try RawHTTPConnection(port: running.port)
        let chunk = String(large.utf8.count, radix: 16)
        try chunked.send("POST /in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                         + "\(chunk)\r\n\(large)\r\n0\r\n\r\n")
        #expect(statusCodes(in: chunked.receiveUntilClosed()) == [413])
        // A body at the limit is fine.
        let reply = try await httpRequest(.POST, running.baseURL + "/in", body: #"{"name": "A", "n": 5}"#,
                                          headers: [("Content-Type", "application/json")])
        #expect(reply.status == 200)
        #expect(await running.context.received.count == 1)
        #expect(running.connector.traffic()?.errors == 2)
        try await running.stop()
    }

    @Test func http10IsAnsweredAndClosedUnlessKeptAlive() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let body = #"{"name": "A", "n": 1}"#
        let plain = try RawHTTPConnection(port: running.port)
        try plain.send("POST /in HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let reply = plain.receiveUntilClosed()
        #expect(reply.hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(reply.hasSuffix("\r\n\r\nOK"))
        let kept = try RawHTTPConnection(port: running.port)
        try kept.send("POST /in HTTP/1.0\r\nConnection: keep-alive\r\nContent-Type: application/json\r\n"
                      + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        #expect(kept.receive(until: "\r\n\r\nOK").lowercased().contains("connection: keep-alive"))
        try kept.send(Self.post(#"{"name": "A", "n": 2}"#, close: true).replacingOccurrences(of: "HTTP/1.1", with: "HTTP/1.0"))
        #expect(statusCodes(in: kept.receiveUntilClosed()) == [200])
        #expect(await running.context.received.count == 3)
        try await running.stop()
    }

    @Test func expectContinueIsAnsweredBeforeTheBody() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let body = #"{"name": "A", "n": 7}"#
        let connection = try RawHTTPConnection(port: running.port)
        try connection.send(Self.postHead(length: body.utf8.count,
                                          extraHeaders: "Expect: 100-continue\r\nConnection: close\r\n"))
        #expect(connection.receive(until: "\r\n\r\n").hasPrefix("HTTP/1.1 100 Continue\r\n"))
        try connection.send(body)
        #expect(statusCodes(in: connection.receiveUntilClosed()) == [200])
        #expect(await running.context.received.first?.telemetry.first?.values["n"] == 7)
        try await running.stop()
    }

    @Test func aMalformedRequestGets400AndTheServerGoesOn() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let connection = try RawHTTPConnection(port: running.port)
        try connection.send("NOT HTTP AT ALL\r\n\r\n")
        #expect(statusCodes(in: connection.receiveUntilClosed()) == [400])
        let reply = try await httpRequest(.POST, running.baseURL + "/in", body: #"{"name": "A", "n": 1}"#,
                                          headers: [("Content-Type", "application/json")])
        #expect(reply.status == 200)
        try await running.stop()
    }

    @Test func stoppingClosesIdleConnectionsAtOnce() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let connection = try RawHTTPConnection(port: running.port)
        try connection.send(Self.post(#"{"name": "A", "n": 1}"#))
        #expect(connection.receive(until: "\r\n\r\nOK").hasPrefix("HTTP/1.1 200 OK"))
        let started = ContinuousClock.now
        try await running.stop()
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(connection.receiveUntilClosed().isEmpty)
        #expect(!isTCPPortOpen(running.port))
    }

    @Test func aClientThatHalfClosesStillGetsItsAnswers() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let connection = try RawHTTPConnection(port: running.port)
        try connection.send(Self.post(#"{"name": "A", "n": 1}"#) + Self.post(#"{"name": "A", "n": 2}"#))
        connection.shutdownSending()
        #expect(statusCodes(in: connection.receiveUntilClosed()) == [200, 200])
        #expect(await running.context.received.count == 2)
        try await running.stop()
    }

    @Test func aMalformedRequestPipelinedBehindAGoodOneIsAnswered400InItsTurn() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let connection = try RawHTTPConnection(port: running.port)
        try connection.send(Self.post(#"{"name": "A", "n": 1}"#) + "NOT HTTP AT ALL\r\n\r\n")
        #expect(statusCodes(in: connection.receiveUntilClosed()) == [200, 400])
        #expect(await running.context.received.count == 1)
        try await running.stop()
    }

    @Test func aStopLetsARequestBeingReadFinish() async throws {
        let running = try await RunningRESTConnector.start(try json(Self.config))
        let body = #"{"name": "A", "n": 9}"#
        let connection = try RawHTTPConnection(port: running.port)
        try connection.send(Self.postHead(length: body.utf8.count) + body.prefix(5))
        try await Task.sleep(for: .milliseconds(100))
        let stopping = Task { try await running.stop() }
        try await Task.sleep(for: .milliseconds(300))
        try connection.send(String(body.dropFirst(5)))
        let reply = connection.receiveUntilClosed()
        #expect(statusCodes(in: reply) == [200])
        #expect(reply.lowercased().contains("connection: close"))
        try await stopping.value
        #expect(await running.context.received.first?.telemetry.first?.values["n"] == 9)
    }
}
