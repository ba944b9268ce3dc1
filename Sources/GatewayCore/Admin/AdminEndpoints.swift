import GatewayKit
import NIOHTTP1
import Storage
import ThingsBoard

/// What the admin port answers:
/// - `/healthz`: 200 while the process serves requests;
/// - `/readyz`: 200 when ThingsBoard is connected and storage accepts events, else 503 and why;
/// - `/metrics`: Prometheus text — connectors, ingest, storage, uplink, process;
/// - `/status`: JSON — connectors with their state and traffic, devices, storage, uplink.
struct AdminEndpoints: Sendable {
    let connectors: ConnectorManager
    let ingest: DataIngest
    let storage: any EventStorage
    let uplink: Uplink
    let client: ThingsBoardClient
    let devices: DeviceRegistry
    var certificates = CertificateExpiries()

    func respond(method: HTTPMethod, path: String) async -> AdminResponse {
        guard method == .GET || method == .HEAD else { return .text("only GET\n", status: .methodNotAllowed) }
        switch path {
        case "/healthz": return .text("ok\n")
        case "/readyz": return await readiness()
        case "/metrics":
            return AdminResponse(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8",
                                 body: Array(await metrics().utf8))
        case "/status", "/": return AdminResponse(status: .ok, contentType: "application/json", body: await status().jsonBytes)
        default: return .text("not found; try /healthz, /readyz, /metrics, /status\n", status: .notFound)
        }
    }

    private func readiness() async -> AdminResponse {
        var problems: [String] = []
        if await client.isSettingUpSession {
            problems.append("ThingsBoard connected, session being set up (subscriptions, getSessionLimits answer, device announcements)")
        } else if !(await client.isReady) {
            problems.append("ThingsBoard not connected")
        }
        if !(await ingest.statistics().storageWritable) { problems.append("storage refuses events") }
        guard problems.isEmpty else { return .text(problems.joined(separator: "\n") + "\n", status: .serviceUnavailable) }
        return .text("ready\n")
    }

    func metrics() async -> String {
        var out = PrometheusText()
        let ingested = await ingest.statistics()
        for supervisor in connectors.supervisors {
            let name = supervisor.identity.name
            let labels = [("connector", name), ("type", supervisor.identity.type)]
            let state = await supervisor.state
            for candidate in [ConnectorSupervisor.State.starting, .running, .failing, .stopped] {
                out.sample("iotgw_connector_state", .gauge, help: "1 for the connector's current state.",
                           labels: labels + [("state", candidate.rawValue)], value: candidate == state ? Int64(1) : 0)
            }
            out.sample("iotgw_connector_restarts_total", .counter, help: "Restarts after a failure.",
                       labels: labels, value: Int64(await supervisor.restarts))
            if let traffic = supervisor.traffic() {
                out.sample("iotgw_connector_messages_in_total", .counter, help: "Messages received from devices.",
                           labels: labels, value: traffic.messagesIn)
                out.sample("iotgw_connector_bytes_in_total", .counter, help: "Payload bytes received from devices.",
                           labels: labels, value: traffic.bytesIn)
                out.sample("iotgw_connector_errors_total", .counter,
                           help: "Malformed input, failed requests, publishes and connection attempts.",
                           labels: labels, value: traffic.errors)
            }
            out.sample("iotgw_connector_events_out_total", .counter, help: "Device readings accepted into storage.",
                       labels: labels, value: ingested.perConnector[name] ?? 0)
            out.sample("iotgw_connector_datapoints_out_total", .counter, help: "Datapoints accepted into storage.",
                       labels: labels, value: ingested.datapointsPerConnector[name] ?? 0)
        }
        out.sample("iotgw_ingest_events_rejected_total", .counter, help: "Readings refused (empty, storage error).",
                   value: ingested.eventsRejected)
        out.sample("iotgw_ingest_events_held_total", .counter, help: "Readings a report strategy held back.",
                   value: ingested.eventsHeldByReportStrategy)

        let stored = await storage.statistics()
        out.sample("iotgw_storage_events", .gauge, help: "Events stored and not yet delivered.", value: Int64(stored.events))
        out.sample("iotgw_storage_bytes", .gauge, help: "Approximate bytes of stored events.", value: stored.bytes)
        out.sample("iotgw_storage_oldest_age_seconds", .gauge, help: "Age of the oldest undelivered event.",
                   value: Double(stored.oldestAgeMilliseconds ?? 0) / 1000)
        out.sample("iotgw_storage_dropped_total", .counter, help: "Events dropped by the overflow policy or TTL.",
                   value: stored.dropped + ingested.eventsDroppedByStorage)
        out.sample("iotgw_storage_appended_total", .counter, help: "Events written to storage.", value: stored.appended)
        out.sample("iotgw_storage_writable", .gauge, help: "0 while storage refuses events.",
                   value: ingested.storageWritable ? Int64(1) : 0)

        let session = await client.statistics()
        let delivered = await uplink.statistics()
        out.sample("iotgw_uplink_connected", .gauge, help: "1 while the ThingsBoard session is up.",
                   value: await client.isReady ? Int64(1) : 0)
        out.sample("iotgw_uplink_connects_total", .counter, help: "ThingsBoard sessions established.", value: session.connects)
        out.sample("iotgw_uplink_messages_published_total", .counter, help: "MQTT messages published to ThingsBoard.",
                   value: session.messagesPublished)
        out.sample("iotgw_uplink_publish_failures_total", .counter, help: "Publishes that failed (retried from storage).",
                   value: session.publishFailures)
        out.sample("iotgw_uplink_events_acknowledged_total", .counter, help: "Stored events delivered and acknowledged.",
                   value: delivered.eventsDelivered)
        out.sample("iotgw_uplink_datapoints_acknowledged_total", .counter, help: "Datapoints delivered and acknowledged.",
                   value: delivered.datapointsDelivered)
        out.sample("iotgw_uplink_packs_retried_total", .counter, help: "Storage packs sent again after a failure.",
                   value: delivered.packsRetried)
        out.sample("iotgw_uplink_packs_not_acknowledged_in_time_total", .counter,
                   help: "Times the oldest pack waited too long for ThingsBoard's acknowledgements (session restarted, pack sent again).",
                   value: delivered.packsNotAcknowledgedInTime)
        out.sample("iotgw_uplink_packs_set_aside_total", .counter,
                   help: "Packs given up after ThingsBoard kept refusing or not acknowledging part of them (that part is lost).",
                   value: delivered.packsSetAsideAfterRefusals)
        out.sample("iotgw_uplink_events_of_refused_devices_given_up_total", .counter,
                   help: "Events of devices ThingsBoard refuses (e.g. at the tenant's device limit), sent apart and refused again.",
                   value: delivered.eventsOfRefusedDevicesGivenUp)
        out.sample("iotgw_uplink_packs_in_flight", .gauge, help: "Storage packs published and not yet acknowledged.",
                   value: Int64(delivered.packsInFlight))
        for (bound, count) in delivered.packLatency.cumulative {
            out.sample("iotgw_uplink_pack_latency_seconds_bucket", .histogram,
                       help: "From a pack's publishing to ThingsBoard's acknowledgement of its last message.",
                       labels: [("le", PrometheusText.format(bound))], value: count,
                       family: "iotgw_uplink_pack_latency_seconds")
        }
        out.sample("iotgw_uplink_pack_latency_seconds_sum", .histogram, help: "", value: delivered.packLatency.sum,
                   family: "iotgw_uplink_pack_latency_seconds")
        out.sample("iotgw_uplink_pack_latency_seconds_count", .histogram, help: "", value: delivered.packLatency.count,
                   family: "iotgw_uplink_pack_latency_seconds")
        out.sample("iotgw_devices", .gauge, help: "Devices the gateway knows.", value: Int64(devices.snapshot.count))
        certificates.write(to: &out)

        if let usage = ProcessUsage.current() {
            out.sample("process_cpu_seconds_total", .counter, help: "User and system CPU time.", value: usage.cpuSeconds)
            out.sample("process_resident_memory_bytes", .gauge, help: "Resident memory.", value: usage.residentBytes)
            out.sample("process_virtual_memory_bytes", .gauge, help: "Virtual memory.", value: usage.virtualBytes)
            out.sample("process_threads", .gauge, help: "OS threads.", value: Int64(usage.threads))
        }
        return out.text
    }

    func status() async -> JSONValue {
        var connectorList: [JSONValue] = []
        let ingested = await ingest.statistics()
        for supervisor in connectors.supervisors {
            var entry: JSONObject = ["name": .string(supervisor.identity.name), "type": .string(supervisor.identity.type),
                                     "state": .string(await supervisor.state.rawValue),
                                     "restarts": .int(Int64(await supervisor.restarts)),
                                     "datapointsOut": .int(ingested.datapointsPerConnector[supervisor.identity.name] ?? 0)]
            if let error = await supervisor.lastError { entry["lastError"] = .string(error) }
            if let traffic = supervisor.traffic() {
                entry["messagesIn"] = .int(traffic.messagesIn)
                entry["bytesIn"] = .int(traffic.bytesIn)
                entry["errors"] = .int(traffic.errors)
            }
            connectorList.append(.object(entry))
        }
        var deviceList: JSONObject = [:]
        for (name, record) in devices.snapshot.sorted(by: { $0.key < $1.key }) {
            deviceList[record.renaming ?? name] = ["connector": .string(record.connectorName),
                                                   "type": .string(record.deviceType),
                                                   "connected": .bool(!record.disconnected)]
        }
        let stored = await storage.statistics()
        let delivered = await uplink.statistics()
        return ["version": .string(GatewayVersion.current),
                "thingsboard": ["connected": .bool(await client.isReady),
                                "host": .string(client.configuration.host), "port": .int(Int64(client.configuration.port))],
                "connectors": .array(connectorList),
                "devices": .object(deviceList),
                "storage": ["events": .int(Int64(stored.events)), "bytes": .int(stored.bytes),
                            "oldestAgeMs": stored.oldestAgeMilliseconds.map(JSONValue.int) ?? .null,
                            "dropped": .int(stored.dropped), "writable": .bool(ingested.storageWritable)],
                "uplink": ["eventsAcknowledged": .int(delivered.eventsDelivered),
                           "datapointsAcknowledged": .int(delivered.datapointsDelivered)]]
    }
}
