import GatewayKit
import Logging
import Modbus
import Synchronization

/// One configured Modbus device (a `master.slaves` entry, or the gateway's own server). Its polls,
/// attribute writes and RPCs take turns through one gate, so the device sees one request at a
/// time from us while other devices on the same TCP link run in parallel (MBAP transaction ids
/// keep their answers apart). A device that stops answering only times out its own requests.
actor ModbusDevice {
    nonisolated let configuration: ModbusDeviceConfiguration
    nonisolated let plan: ModbusReadPlan
    nonisolated let statistics: ModbusDeviceStatistics
    private let sender: any ModbusRequestSender
    private let gateway: ModbusGatewayPort
    private let logger: Logger
    /// Values that arrive but do not convert: the reference's `<connector name>_converter` logger.
    private let converterLogger: Logger
    private var undecodedLog = BurstLimiter(window: .seconds(60))
    private var gate = SerialGate()
    private var announced = false
    private var consecutiveFailedPolls = 0
    private var failureLog = BurstLimiter(window: .seconds(60))
    /// `idle`, `running`, or `runningWithOneMoreDue`: a poll that comes due while the previous one
    /// still runs starts right after it; any further one is skipped (counted), never queued up.
    private nonisolated let pollState = Atomic<UInt8>(PollState.idle)
    private enum PollState {
        static let idle: UInt8 = 0
        static let running: UInt8 = 1
        static let runningWithOneMoreDue: UInt8 = 2
    }

    init(configuration: ModbusDeviceConfiguration, sender: any ModbusRequestSender, gateway: ModbusGatewayPort,
         logger: Logger, converterLogger: Logger? = nil) {
        self.configuration = configuration
        self.plan = ModbusReadPlan(items: configuration.readItems)
        self.sender = sender
        self.gateway = gateway
        self.statistics = ModbusDeviceStatistics()
        var logger = logger
        logger[metadataKey: "device"] = "\(configuration.deviceName)"
        self.logger = logger
        var converterLogger = converterLogger ?? logger
        converterLogger[metadataKey: "device"] = "\(configuration.deviceName)"
        self.converterLogger = converterLogger
    }

    // MARK: taking turns

    /// Runs `body` when it is this caller's turn on the device.
    private func exclusively<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        if !gate.tryEnter() {
            await withCheckedContinuation { gate.enqueue($0) }
        }
        defer { gate.leave() }
        return try await body()
    }

    // MARK: polling

    nonisolated var hasPolls: Bool { !plan.requests.isEmpty }

    /// A poll came due: true when the caller should start `runScheduledPoll`; false when a poll
    /// is running (this one then follows it, or is skipped and counted when one already waits).
    nonisolated func claimScheduledPoll() -> Bool {
        var state = pollState.load(ordering: .acquiring)
        while true {
            if state == PollState.runningWithOneMoreDue {
                statistics.countSkippedPolls(1)
                return false
            }
            let desired = state == PollState.idle ? PollState.running : PollState.runningWithOneMoreDue
            let (exchanged, original) = pollState.compareExchange(expected: state, desired: desired,
                                                                  ordering: .acquiringAndReleasing)
            if exchanged { return state == PollState.idle }
            state = original
        }
    }

    /// Runs the poll claimed with `claimScheduledPoll`, and the one that came due meanwhile if
    /// any, each in turn with the device's writes and RPCs.
    func runScheduledPoll() async {
        while true {
            _ = try? await exclusively { await pollOnce() }
            if pollState.compareExchange(expected: PollState.running, desired: PollState.idle,
                                         ordering: .acquiringAndReleasing).exchanged || Task.isCancelled {
                return
            }
            // One more came due while this one ran: only this task leaves that state.
            pollState.store(PollState.running, ordering: .releasing)
        }
    }

    /// Reads every planned request once and hands the converted values to the gateway.
    private func pollOnce() async {
        let readAt = WallClock.milliseconds()
        var responses: [ModbusResponse?] = []
        responses.reserveCapacity(plan.requests.count)
        var firstFailure: String?
        var failures = 0
        var linkDown = false
        for (index, planned) in plan.requests.enumerated() {
            if linkDown {
                responses.append(nil)
                continue
            }
            if index > 0, configuration.delayBetweenRequests > .zero {
                try? await Task.sleep(for: configuration.delayBetweenRequests)
            }
            guard let request = ModbusRequest.read(functionCode: planned.functionCode, address: planned.address,
                                                   count: planned.count) else {
                responses.append(nil)
                continue
            }
            do {
                let response = try await sender.send(request, unitId: configuration.unitId,
                                                     timeout: configuration.timeout, retries: configuration.retries)
                responses.append(response)
                statistics.countResponse(response)
            } catch {
                statistics.countFailedRequest()
                responses.append(nil)
                failures += 1
                if firstFailure == nil { firstFailure = "FC\(planned.functionCode) @\(planned.address)×\(planned.count): \(error)" }
                if Self.linkIsDown(error) { linkDown = true }
            }
        }
        let succeeded = failures < plan.requests.count
        await updateConnectivity(pollSucceeded: succeeded, linkDown: linkDown)
        if let firstFailure, let suppressed = failureLog.shouldLog() {
            logger.warning("Poll incomplete: \(failures) of \(plan.requests.count) requests failed; first: \(firstFailure)",
                           metadata: ["suppressedSinceLastLog": "\(suppressed)"])
        }
        guard succeeded else { return }
        let converted = ModbusUplink.convert(plan: plan, responses: responses, device: configuration, readAt: readAt)
        if !converted.undecodedKeys.isEmpty, let suppressed = undecodedLog.shouldLog() {
            let keys = converted.undecodedKeys.joined(separator: ", ")
            let why = "too few registers for its type, a float that is NaN or infinite, or a value its divider or multiplier cannot take"
            converterLogger.warning("No value for \(keys) in the answer: \(why)",
                                    metadata: ["suppressedSinceLastLog": "\(suppressed)"])
        }
        let data = converted.data
        guard !data.isEmpty else { return }
        statistics.countDatapoints(data.datapointCount)
        await gateway.send(data)
    }

    /// The reference announces a device while its link is up and removes it when the link fails;
    /// a unit that stops answering on a healthy link is given its connect-attempt count of polls.
    private func updateConnectivity(pollSucceeded: Bool, linkDown: Bool) async {
        if pollSucceeded {
            consecutiveFailedPolls = 0
            if !announced {
                announced = true
                await gateway.connect(device: configuration.deviceName, type: configuration.deviceType)
            }
            return
        }
        consecutiveFailedPolls += 1
        if announced, linkDown || consecutiveFailedPolls >= configuration.connectAttemptCount {
            announced = false
            await gateway.disconnect(device: configuration.deviceName)
        }
    }

    // MARK: downlink

    /// Reads one item now (an RPC with function code 1–4) and decodes it with its format.
    func read(functionCode: UInt8, address: UInt16, format: ModbusValueFormat, timeout: Duration) async throws -> JSONValue {
        let count = UInt16(clamping: format.readCount(functionCode: functionCode))
        guard let request = ModbusRequest.read(functionCode: functionCode, address: address, count: count) else {
            throw ModbusRPCError.badParams("function code \(functionCode) does not read")
        }
        let response = try await exclusively {
            try await sender.send(request, unitId: configuration.unitId, timeout: timeout, retries: configuration.retries)
        }
        statistics.countResponse(response)
        guard let value = format.decode(response) else {
            throw ModbusRPCError.badParams("the answer of function code \(functionCode) at \(address) does not decode as \(format.typeName)")
        }
        return value
    }

    /// Writes an encoded value (function code 5, 6, 15 or 16).
    func write(_ payload: ModbusWritePayload, address: UInt16, timeout: Duration) async throws {
        let request = ModbusRequest.write(payload, address: address)
        _ = try await exclusively {
            try await sender.send(request, unitId: configuration.unitId, timeout: timeout, retries: configuration.retries)
        }
    }

    static func linkIsDown(_ error: any Error) -> Bool {
        if error is ModbusLinkUnavailable { return true }
        guard let error = error as? ModbusClientError else { return false }
        switch error {
        case .notConnected, .connectionClosed: return true
        default: return false
        }
    }
}
