import Foundation
import Testing
import TestSupport

/// The gateway as its service runs it: as an unprivileged user (packaging/systemd runs it as
/// `thingsboard_gateway`). Every other test runs as whoever runs the tests — root in CI — so a
/// socket option that needs privileges went unnoticed there: with `SO_DEBUG` (set by mistake in
/// place of `TCP_NODELAY`) a non-root gateway could not connect to ThingsBoard, and its REST
/// connector dropped every accepted connection.
@Suite(.serialized, .timeLimit(.minutes(2))) struct UnprivilegedUserEndToEndTests {
    static let restConnector = #"{"type": "rest", "name": "REST", "configuration": "rest.json"}"#

    static func restConfig(port: Int) -> String {
        """
        {"server": {"host": "127.0.0.1", "port": \(port)},
         "mapping": [{"endpoint": "/in", "HTTPMethods": ["POST"], "security": {"type": "anonymous"},
           "response": {"successResponse": "OK"},
           "converter": {"type": "json",
             "deviceInfo": {"deviceNameExpressionSource": "request", "deviceNameExpression": "${name}"},
             "timeseries": [{"type": "int", "key": "level", "value": "${level}"}]}}]}
        """
    }

    @Test func asAnUnprivilegedUserTheGatewayConnectsAndItsServersAnswer() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let observer = try BrokerObserver(port: broker.port, topics: EndToEndTests.topics)
        defer { observer.stop() }
        let gateway = try GatewayUnderTest(label: "unprivileged")
        let dataPath = gateway.directory.appendingPathComponent("data").path
        try gateway.writeMainConfig(port: broker.port,
                                    storage: #"{"type": "sqlite", "data_file_path": "\#(dataPath)/"}"#,
                                    connectors: [GatewayUnderTest.simulatorConnector, Self.restConnector])
        try gateway.write("simulator.json", GatewayUnderTest.counterSimulator(device: "Counter U"))
        let restPort = freeTCPPort()
        try gateway.write("rest.json", Self.restConfig(port: restPort))
        try gateway.start(asUnprivilegedUser: true)
        defer { gateway.stop() }

        let counted = await waitUntil(timeout: 30) {
            readings(of: "Counter U", key: "counter", in: observer.messages()).count >= 3
        }
        #expect(counted, "no telemetry reached ThingsBoard; gateway log:\n\(gateway.log())")

        // The REST connector's server: an accepted connection is answered, its reading delivered.
        let curl = try PeerProcess(executable: try PeerProcess.resolve("curl"), arguments: [
            "-s", "-w", "\\nstatus=%{http_code}", "-X", "POST", "-H", "Content-Type: application/json",
            "--retry", "5", "--retry-connrefused", "--retry-delay", "1",
            "--data", #"{"name": "Tank U", "level": 42}"#, "http://127.0.0.1:\(restPort)/in",
        ], logFile: gateway.directory.appendingPathComponent("curl.log"))
        #expect(await waitUntil(timeout: 20) { !curl.isRunning })
        #expect(curl.output().contains("OK\nstatus=200"), "curl: \(curl.output()); gateway log:\n\(gateway.log())")
        let delivered = await waitUntil(timeout: 20) {
            readings(of: "Tank U", key: "level", in: observer.messages()) == [42]
        }
        await responder.stop()
        #expect(delivered, "the REST reading did not reach ThingsBoard; gateway log:\n\(gateway.log())")
        // Its storage was written as that user.
        #expect(FileManager.default.fileExists(atPath: dataPath + "/data.db"))
    }
}
