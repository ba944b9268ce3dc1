import Foundation
import GatewayKit
import Testing
import TestSupport

/// The admin port as an operator uses it: health and readiness probes, Prometheus scrapes (parsed
/// by the reference parser, prometheus_client) whose counters move with the data, and the JSON
/// status listing connectors and devices.
@Suite(.serialized, .timeLimit(.minutes(3))) struct AdminEndpointEndToEndTests {
    struct HTTPAnswer {
        var status: Int
        var body: String
    }

    func get(_ url: String, label: String) throws -> HTTPAnswer {
        let output = try runPython("http_get.py", [url], label: label)
        let lines = output.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        return HTTPAnswer(status: Int(lines.first ?? "") ?? 0, body: lines.count > 1 ? String(lines[1]) : "")
    }

    /// Samples of one scrape, by name and labels.
    func scrape(_ url: String, label: String) throws -> [(name: String, labels: JSONObject, value: Double)] {
        let document = try JSONValue.parse(try runPython("scrape_metrics.py", [url], label: label))
        #expect(document["status"] == 200)
        return (document["samples"]?.arrayValue ?? []).compactMap { sample in
            guard let fields = sample.arrayValue, fields.count == 3, let name = fields[0].stringValue,
                  case .object(let labels) = fields[1], let value = fields[2].doubleValue else { return nil }
            return (name, labels, value)
        }
    }

    func runPython(_ script: String, _ arguments: [String], label: String) throws -> String {
        let log = try makeScratchDirectory("admin-\(label)").appendingPathComponent("out.txt")
        let process = try PythonPeer.start(script, arguments: arguments, logFile: log)
        process.process.waitUntilExit()
        let output = process.output()
        guard process.process.terminationStatus == 0 else {
            throw PeerUnavailable(what: script, hint: "failed (\(process.process.terminationStatus)): \(output)")
        }
        return output
    }

    @Test func probesMetricsAndStatusReflectTheRunningGateway() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let observer = try BrokerObserver(port: broker.port, topics: ["v1/gateway/telemetry"])
        defer { observer.stop() }
        let adminPort = freeTCPPort()
        let gateway = try GatewayUnderTest(label: "admin")
        try gateway.writeMainConfig(port: broker.port, storage: #"{"type": "memory"}"#,
                                    admin: #"{"host": "127.0.0.1", "port": \#(adminPort)}"#)
        try gateway.write("simulator.json", """
            {"devices": [{"name": "Boiler 1", "type": "boiler", "periodMs": 50,
              "telemetry": [{"key": "counter", "kind": "counter", "start": 0, "step": 1}]}]}
            """)
        try gateway.start()
        defer { gateway.stop() }
        let base = "http://127.0.0.1:\(adminPort)"

        let listening = await waitUntil(timeout: 20) { isTCPPortOpen(adminPort) }
        #expect(listening, "admin port never opened; gateway log:\n\(gateway.log())")
        #expect(try get("\(base)/healthz", label: "health").status == 200)
        let ready = await waitUntil(timeout: 20) { (try? get("\(base)/readyz", label: "ready").status) == 200 }
        #expect(ready, "never ready; gateway log:\n\(gateway.log())")
        #expect(try get("\(base)/nope", label: "404").status == 404)

        let flowing = await waitUntil(timeout: 30) { readings(of: "Boiler 1", key: "counter", in: observer.messages()).count >= 5 }
        #expect(flowing)
        func datapointsOut(_ samples: [(name: String, labels: JSONObject, value: Double)]) -> Double? {
            samples.first { $0.name == "iotgw_connector_datapoints_out_total" && $0.labels["connector"] == "Simulator" }?.value
        }
        let first = try scrape("\(base)/metrics", label: "scrape1")
        let before = try #require(datapointsOut(first), "no datapoints counter in \(first.map(\.name))")
        #expect(first.contains { $0.name == "iotgw_connector_state" && $0.labels["state"] == "running" && $0.value == 1 })
        #expect(first.contains { $0.name == "iotgw_uplink_connected" && $0.value == 1 })
        #expect(first.contains { $0.name == "process_resident_memory_bytes" && $0.value > 1_000_000 })
        let acknowledged = first.first { $0.name == "iotgw_uplink_datapoints_acknowledged_total" }?.value ?? 0
        #expect(acknowledged > 0)
        // The uplink's pack latency histogram: every pack counted in the +Inf bucket.
        let packs = first.first { $0.name == "iotgw_uplink_pack_latency_seconds_count" }?.value ?? 0
        #expect(packs > 0)
        #expect(first.contains { $0.name == "iotgw_uplink_pack_latency_seconds_bucket" && $0.labels["le"] == "+Inf" && $0.value == packs })
        try await Task.sleep(for: .seconds(1))
        let later = try #require(datapointsOut(try scrape("\(base)/metrics", label: "scrape2")))
        #expect(later > before, "the counter did not move: \(before) → \(later)")

        let status = try JSONValue.parse(try get("\(base)/status", label: "status").body)
        let connector = try #require(status["connectors"]?.arrayValue?.first)
        #expect(connector["name"] == "Simulator")
        #expect(connector["state"] == "running")
        #expect(status["devices"]?["Boiler 1"]?["connector"] == "Simulator")
        #expect(status["thingsboard"]?["connected"] == true)
        await responder.stop()
    }
}
