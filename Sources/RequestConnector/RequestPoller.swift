import Foundation
import GatewayKit
import HTTPConnectorKit
import Logging

/// Polls one mapping every `scanPeriod` until cancelled.
struct RequestPoller: Sendable {
    let mapping: RequestMapping
    let clients: HTTPClients
    let context: any GatewayContext
    let identity: ConnectorIdentity
    let statistics: RequestConnectorStatistics
    let logger: Logger
    /// Answers that could not be converted are logged here, once per burst: the reference's
    /// `<connector name>_converter` logger. They count in `statistics.pollFailures`, but getting
    /// the answer worked, so `logger` neither reports the poll as failed nor as working again.
    let converterLogger: Logger
    let conversionLog = SharedBurstLimiter(window: .seconds(60))

    /// Why one poll produced nothing.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// What one poll came to.
    struct Outcome {
        /// What went wrong getting the answer (empty: nothing).
        var fetchProblems: [String] = []
        /// The answer came, but some of it could not be converted (logged by the converter logger).
        var conversionFailed = false
    }

    func run() async {
        let clock = ContinuousClock()
        var next = clock.now
        var failureLog = BurstLimiter(window: .seconds(60))
        var consecutiveFailures = 0
        while !Task.isCancelled {
            do {
                try await clock.sleep(until: next)
            } catch {
                return
            }
            let outcome = await pollOnce()
            let problems = outcome.fetchProblems
            if problems.isEmpty {
                // A poll whose answer did not convert neither breaks a failure streak nor ends it.
                if consecutiveFailures > 0, !outcome.conversionFailed {
                    logger.info("Polling \(mapping.resolvedURL) works again", metadata: [
                        "mapping": "\(mapping.configPath)", "afterFailedPolls": "\(consecutiveFailures)"])
                    consecutiveFailures = 0
                    failureLog = BurstLimiter(window: .seconds(60))
                }
            } else {
                consecutiveFailures += 1
                if let suppressed = failureLog.shouldLog() {
                    logger.warning("Polling \(mapping.resolvedURL) failed: \(problems.joined(separator: "; "))", metadata: [
                        "mapping": "\(mapping.configPath)", "failedPolls": "\(consecutiveFailures)",
                        "suppressedSinceLastLog": "\(suppressed)"])
                }
            }
            // Ticks that passed while this poll ran are skipped, never queued up.
            next += mapping.scanPeriod
            let now = clock.now
            if next <= now {
                let missed = Int(((now - next) / mapping.scanPeriod).rounded(.down)) + 1
                statistics.countSkippedTicks(missed)
                next += mapping.scanPeriod * missed
            }
        }
    }

    /// One poll: request, convert, hand over. Conversion problems are logged by the converter
    /// logger here; the caller logs what went wrong getting the answer.
    func pollOnce() async -> Outcome {
        statistics.countPoll()
        let reply: HTTPReply
        do {
            reply = try await clients.perform(mapping.request)
        } catch {
            statistics.countPollFailure()
            return Outcome(fetchProblems: [error.description])
        }
        guard reply.isSuccess else {
            statistics.countPollFailure()
            return Outcome(fetchProblems: ["HTTP \(reply.status)\(Self.excerpt(reply))"])
        }
        statistics.countAnswer(bytes: reply.body.count)
        let receivedAt = WallClock.milliseconds()
        var records: [RequestRecord]
        do {
            records = try self.records(in: reply, receivedAt: receivedAt)
        } catch {
            statistics.countPollFailure()
            return Outcome(fetchProblems: [error.description])
        }
        var problems: [String] = []
        if mapping.subRequests.contains(where: \.isSupported) {
            for index in records.indices {
                problems += await addSubRequestAnswers(to: &records[index])
            }
        }
        var converted: [ConvertedData] = []
        var conversionProblems: [String] = []
        for record in records {
            do {
                converted += try mapping.converter.convert(record)
            } catch {
                conversionProblems.append("\(mapping.converterName) converter: \(error)")
            }
        }
        for data in converted where !data.isEmpty {
            guard !data.deviceName.isEmpty else {
                conversionProblems.append("a record gave an empty device name")
                continue
            }
            switch await context.send(data, from: identity) {
            case .accepted:
                statistics.countSent()
            case .rejected(let reason):
                statistics.countRejected()
                logger.debug("Gateway refused readings of \(data.deviceName): \(reason)")
            }
        }
        if !problems.isEmpty || !conversionProblems.isEmpty { statistics.countPollFailure() }
        if !conversionProblems.isEmpty, let suppressed = conversionLog.shouldLog() {
            let problemsText = conversionProblems.joined(separator: "; ")
            converterLogger.warning("Answer from \(mapping.resolvedURL) not (fully) converted: \(problemsText)", metadata: [
                "mapping": "\(mapping.configPath)", "suppressedSinceLastLog": "\(suppressed)"])
        }
        return Outcome(fetchProblems: problems, conversionFailed: !conversionProblems.isEmpty)
    }

    /// The records of an answer: what `dataUnpackExpression` selects (or the whole answer), one
    /// record per element when that is an array.
    func records(in reply: HTTPReply, receivedAt: Int64) throws(Failure) -> [RequestRecord] {
        guard var json = try? JSONValue.parse(reply.body) else {
            // Custom converters may read raw answers; the json converter says it needs JSON.
            return [RequestRecord(url: mapping.resolvedURL, json: nil, body: reply.body, receivedAt: receivedAt)]
        }
        if let unpack = mapping.dataUnpack {
            guard let selected = unpack.evaluate(in: json), !selected.isNull else {
                throw Failure(description: "dataUnpackExpression \(unpack.source) found nothing in the answer")
            }
            json = selected
        }
        let elements: [JSONValue]
        if case .array(let array) = json { elements = array } else { elements = [json] }
        return elements.map { RequestRecord(url: mapping.resolvedURL, json: $0, body: reply.body, receivedAt: receivedAt) }
    }

    /// Requests each supported sub-request for `record` and adds the fields of its JSON object
    /// answer to the record. Returns what failed.
    func addSubRequestAnswers(to record: inout RequestRecord) async -> [String] {
        guard case .object(var fields)? = record.json else { return [] }
        var problems: [String] = []
        for subRequest in mapping.subRequests where subRequest.isSupported {
            var request = mapping.request
            request.url = subRequest.resolvedURL(for: .object(fields), parentURL: mapping.resolvedURL)
            do {
                let reply = try await clients.perform(request)
                guard reply.isSuccess else {
                    problems.append("sub-request \(subRequest.key) to \(request.url): HTTP \(reply.status)")
                    continue
                }
                guard case .object(let answer)? = try? JSONValue.parse(reply.body) else {
                    problems.append("sub-request \(subRequest.key) to \(request.url): the answer is not a JSON object")
                    continue
                }
                fields.merge(answer) { _, new in new }
            } catch {
                problems.append("sub-request \(subRequest.key): \(error)")
            }
        }
        record.json = .object(fields)
        return problems
    }

    private static func excerpt(_ reply: HTTPReply) -> String {
        let text = reply.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return "" }
        return ": " + (text.count > 120 ? String(text.prefix(117)) + "..." : text)
    }
}
