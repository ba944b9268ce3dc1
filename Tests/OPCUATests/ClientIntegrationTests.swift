import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing
import TestSupport
@testable import OPCUA

/// The client against the real asyncua 2.1.0 server (`Tests/Peers/opcua_server.py`). Every test
/// needs the peer and fails (never skips) when it is missing.
private func device(_ name: String) -> NodeId { .string(name, namespace: 2) }

private func clientOptions(_ url: String, identity: OPCUAIdentity = .anonymous) -> OPCUAClientOptions {
    var options = OPCUAClientOptions(endpointURL: url)
    options.identity = identity
    // Generous: the Python server answers slowly while the 2-core machine is saturated by builds.
    options.requestTimeout = .seconds(20)
    options.connection.connectTimeout = .seconds(20)
    options.keepAliveInterval = .seconds(1)
    options.reconnect = OPCUAReconnectPolicy(initialDelay: .milliseconds(200), factor: 2, maximumDelay: .seconds(1))
    return options
}

/// Collects data changes from the client's stream in the background, for assertions.
private final class ChangeCollector: Sendable {
    private final class Log: Sendable {
        let changes = Mutex<[OPCUADataChange]>([])
    }
    private let log = Log()
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<[OPCUADataChange]>) {
        let log = self.log
        task = Task {
            for await batch in stream { log.changes.withLock { $0.append(contentsOf: batch) } }
        }
    }

    var all: [OPCUADataChange] { log.changes.withLock { $0 } }
    func count(handle: UInt32) -> Int { all.filter { $0.clientHandle == handle }.count }
    deinit { task.cancel() }
}

@Suite("OPC-UA client against asyncua", .serialized, .timeLimit(.minutes(3)))
struct ClientIntegrationTests {
    @Test func readWriteBrowseTranslateCall() async throws {
        let scratch = try makeScratchDirectory("opcua-client-basic")
        let peer = try await OPCUAPeer.start(in: scratch)
        defer { peer.stop() }
        let client = OPCUAClient(options: clientOptions(peer.endpointURL))
        try await client.connect()

        // Values of several built-in types, one of them (20 000 doubles) larger than one chunk.
        let values = try await client.readValues(["Status", "Enabled", "Big", "Small", "Ratio", "Raw", "Samples", "Wide", "Counter"].map(device))
        #expect(values[0].value == .string("ok"))
        #expect(values[1].value == .boolean(true))
        #expect(values[2].value == .int64(9_007_199_254_740_993))
        #expect(values[3].value == .uint16(65535))
        #expect(values[4].value == .float(0.5))
        #expect(values[5].value == .byteString([1, 2, 0xFF]))
        #expect(values[6].value == .array(VariantArray(elementType: .double, elements: [.double(1.5), .double(2.5), .double(3.5)])))
        guard case let .array(wide)? = values[7].value else { Issue.record("Wide is not an array"); return }
        #expect(wide.elements.count == 20000)
        #expect(wide.elements.last == .double(19999))
        guard case .int32? = values[8].value else { Issue.record("Counter is \(String(describing: values[8].value))"); return }

        // An unknown node is a per-operation status, not a failure of the batch.
        let unknown = try await client.readValues([device("NoSuchNode"), device("Status")])
        #expect(unknown[0].effectiveStatus.code == .badNodeIdUnknown)
        #expect(unknown[1].value == .string("ok"))

        // Attributes other than Value: the browse name.
        let names = try await client.read([ReadValueId(nodeId: device("Temperature"), attributeId: 3)])
        #expect(names[0].value == .qualifiedName(QualifiedName(namespace: 2, name: "Temperature")))

        #expect(try await client.writeValue(.string("changed"), to: device("Status")).isGood)
        #expect(try await client.readValues([device("Status")])[0].value == .string("changed"))
        #expect(try await client.writeValue(.string("wrong type"), to: device("Small")).isBad)

        let references = try await client.browse(device("Device1"))
        let browseNames = Set(references.compactMap(\.browseName.name))
        #expect(browseNames.isSuperset(of: ["Temperature", "Counter", "Status", "Add", "Settings"]))
        // A tiny page size forces BrowseNext with continuation points.
        let paged = try await client.browse(device("Device1"), maxReferencesPerNode: 2)
        #expect(Set(paged.compactMap(\.browseName.name)) == browseNames)

        let setpoint = try await client.translate(from: .numeric(85), path: [
            QualifiedName(namespace: 2, name: "Device1"), QualifiedName(namespace: 2, name: "Settings"),
            QualifiedName(namespace: 2, name: "Setpoint"),
        ])
        #expect(setpoint == device("Setpoint"))
        #expect(try await client.translate(from: .numeric(85), path: [QualifiedName(namespace: 2, name: "Nope")]) == nil)

        let sum = try await client.call(object: device("Device1"), method: device("Add"), arguments: [.double(1.5), .double(2)])
        #expect(sum == [.double(3.5)])
        await #expect(throws: OPCUAClientError.serviceFailed(service: "Call", status: .badUnexpectedError)) {
            try await client.call(object: device("Device1"), method: device("Fail"), arguments: [])
        }

        let endpoints = try await OPCUAClient.getEndpoints(endpointURL: peer.endpointURL)
        #expect(endpoints.contains { $0.securityPolicyURI == OPCUASecurityPolicy.none.uri })
        await client.disconnect()
        await #expect(throws: OPCUAClientError.closed) { try await client.readValues([device("Status")]) }
    }

    /// A server that refuses Reads of more than 3 nodes (like many PLCs' small MaxNodesPerRead):
    /// the client reads the limit when the session opens and splits a 9-node read into 3 requests.
    @Test func readsAreSplitToTheServersOperationLimit() async throws {
        let scratch = try makeScratchDirectory("opcua-client-limits")
        let peer = try await OPCUAPeer.start(in: scratch, options: ["--max-nodes-per-read", "3"])
        defer { peer.stop() }
        let names = ["Status", "Enabled", "Big", "Small", "Ratio", "Raw", "Samples", "Counter", "Temperature"]

        let client = OPCUAClient(options: clientOptions(peer.endpointURL))
        try await client.connect()
        #expect(await client.operationLimits.maxNodesPerRead == 3)
        // What the server does with one request over its limit: the whole Read fails.
        let unsplit = ReadRequest(maxAge: 0, timestampsToReturn: .both,
                                  nodesToRead: names.map { ReadValueId(nodeId: device($0), attributeId: AttributeId.value) })
        await #expect(throws: OPCUAClientError.self) { try await client.send(unsplit) }
        let values = try await client.readValues(names.map(device))
        #expect(values.count == 9)
        #expect(values.allSatisfy { $0.effectiveStatus.isGood }, "\(values.map(\.effectiveStatus))")
        #expect(values[0].value == .string("ok") && values[3].value == .uint16(65535))
        await client.disconnect()
    }

    @Test func userNameIdentity() async throws {
        let scratch = try makeScratchDirectory("opcua-client-users")
        let peer = try await OPCUAPeer.start(in: scratch, options: ["--users"])
        defer { peer.stop() }
        let good = OPCUAClient(options: clientOptions(peer.endpointURL, identity: .userName("tbuser", password: "tbpass")))
        try await good.connect()
        #expect(try await good.readValues([device("Status")])[0].value == .string("ok"))
        await good.disconnect()

        let wrong = OPCUAClient(options: clientOptions(peer.endpointURL, identity: .userName("tbuser", password: "nope")))
        await #expect(throws: OPCUAClientError.self) { try await wrong.connect() }
        let anonymous = OPCUAClient(options: clientOptions(peer.endpointURL))
        await #expect(throws: OPCUAClientError.identityNotSupported("anonymous")) { try await anonymous.connect() }
    }

    @Test func subscriptionSurvivesAServerRestart() async throws {
        let scratch = try makeScratchDirectory("opcua-client-restart")
        var peer = try await OPCUAPeer.start(in: scratch)
        defer { peer.stop() }
        let client = OPCUAClient(options: clientOptions(peer.endpointURL))
        let collector = ChangeCollector(client.dataChanges)
        try await client.connect()
        let subscription = try await client.createSubscription(OPCUASubscriptionParameters(publishingInterval: .milliseconds(100)))
        let results = try await client.monitor([
            OPCUAMonitoredItem(nodeId: device("Counter"), clientHandle: 7, samplingInterval: .milliseconds(100)),
            OPCUAMonitoredItem(nodeId: device("Temperature"), clientHandle: 8, samplingInterval: .milliseconds(100)),
            OPCUAMonitoredItem(nodeId: device("Missing"), clientHandle: 9),
        ], in: subscription)
        #expect(results.map(\.status.isGood) == [true, true, false])

        #expect(await waitUntil(timeout: 10) { collector.count(handle: 7) >= 5 && collector.count(handle: 8) >= 3 })
        let counters = collector.all.filter { $0.clientHandle == 7 }.compactMap { change -> Int32? in
            if case let .int32(value)? = change.value.value { return value } else { return nil }
        }
        #expect(counters.count >= 5)
        #expect(counters.last! > counters.first!)   // the value really changes
        #expect(collector.all.allSatisfy { $0.subscription == subscription })

        // The server dies without a goodbye and comes back on the same port.
        peer.kill()
        #expect(await waitUntil(timeout: 10, checking: { await !client.isConnected }))
        let before = collector.count(handle: 7)
        peer = try await OPCUAPeer.start(port: peer.port, in: scratch)
        let restarted = ContinuousClock.now
        #expect(await waitUntil(timeout: 10) { collector.count(handle: 7) >= before + 3 })
        #expect(ContinuousClock.now - restarted < .seconds(10))
        #expect(await client.reconnects == 1)
        #expect(await client.serverSubscriptionId(subscription) != nil)
        await client.disconnect()
    }

    @Test func deadServerFailsPendingRequestsPromptly() async throws {
        let scratch = try makeScratchDirectory("opcua-client-dead")
        let peer = try await OPCUAPeer.start(in: scratch)
        defer { peer.stop() }
        var options = clientOptions(peer.endpointURL)
        options.requestTimeout = .seconds(60)
        let client = OPCUAClient(options: options)
        try await client.connect()
        // The server holds this call for 30 s; killing it must fail the call at once, not after 60 s.
        let pending = Task { try await client.call(object: device("Device1"), method: device("Slow"), arguments: [.double(30)]) }
        try await Task.sleep(for: .milliseconds(500))
        let killed = ContinuousClock.now
        peer.kill()
        let outcome = await pending.result
        #expect(ContinuousClock.now - killed < .seconds(3))
        #expect(throws: OPCUAConnectionError.self) { try outcome.get() }
        await client.disconnect()
    }

    @Test func unreachableServerIsAClearErrorWithinTheTimeout() async throws {
        let port = freeTCPPort()   // nothing listens here
        let client = OPCUAClient(options: clientOptions("opc.tcp://127.0.0.1:\(port)/none"))
        let started = ContinuousClock.now
        do {
            try await client.connect()
            Issue.record("connect to a closed port succeeded")
        } catch let error as OPCUAConnectionError {
            guard case let .connectionClosed(reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(reason.contains("cannot connect to 127.0.0.1:\(port)"))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(await client.isConnected == false)

        // A server that accepts TCP but never answers Hello: the handshake times out.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        var options = clientOptions("opc.tcp://127.0.0.1:\(silent.localAddress!.port!)/silent")
        options.connection.connectTimeout = .seconds(1)
        let stuck = OPCUAClient(options: options)
        await #expect(throws: OPCUAConnectionError.timeout(what: "Hello/OpenSecureChannel handshake", seconds: 1)) {
            try await stuck.connect()
        }
    }

    @Test func badEndpointURLIsRefused() async throws {
        #expect(throws: OPCUAConnectionError.invalidEndpointURL("http://x:1")) { try OPCUAEndpointAddress("http://x:1") }
        let address = try OPCUAEndpointAddress("opc.tcp://plc.local/path")
        #expect(address.host == "plc.local" && address.port == 4840)
        #expect(try OPCUAEndpointAddress("opc.tcp://[::1]:4841").port == 4841)
    }

    @Test func reconnectBackOffGrowsToItsMaximum() {
        let policy = OPCUAReconnectPolicy(initialDelay: .milliseconds(100), factor: 2, maximumDelay: .seconds(1))
        #expect((0..<6).map { policy.delay(attempt: $0) } == [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1),
        ])
    }
}
