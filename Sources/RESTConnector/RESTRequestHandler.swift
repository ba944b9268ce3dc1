import Expressions
import GatewayKit
import Logging
import NIOCore
import NIOHTTP1

/// Answers every request of one connector's server: finds the endpoint, checks method,
/// credentials and body, converts and hands the readings to the gateway, and builds the reply
/// with the reference's status codes. Runs on the connection's event loop up to the point where
/// the gateway has to be waited for (`RESTHandling.deferred`). Immutable; shared state lives in
/// the statistics and the response waiters, which are thread safe.
struct RESTRequestHandler: Sendable {
    let identity: ConnectorIdentity
    let context: any GatewayContext
    let logger: Logger
    /// Failed conversions: the reference's `<connector name>_converter` logger.
    let converterLogger: Logger
    let statistics: RESTConnectorStatistics
    let waiters: RESTResponseWaiters
    let deliveries: RESTDeliveryQueue
    /// Endpoints without variables, by path (the common case: one dictionary lookup).
    private let exactRoutes: [String: RESTRoute]
    /// Endpoints with `{name}` segments, tried in config order.
    private let patternRoutes: [RESTRoute]
    /// Refused requests (4xx), failed conversions and other failures (5xx): one log line per burst each.
    private let refusedLog = SharedBurstLimiter()
    private let failedLog = SharedBurstLimiter()
    private let conversionLog = SharedBurstLimiter()

    init(identity: ConnectorIdentity, configuration: RESTConnectorConfiguration, context: any GatewayContext,
         logger: Logger, converterLogger: Logger, statistics: RESTConnectorStatistics, waiters: RESTResponseWaiters,
         deliveries: RESTDeliveryQueue) {
        self.identity = identity
        self.context = context
        self.logger = logger
        self.converterLogger = converterLogger
        self.statistics = statistics
        self.waiters = waiters
        self.deliveries = deliveries
        var exact: [String: RESTRoute] = [:]
        var patterns: [RESTRoute] = []
        for endpoint in configuration.endpoints {
            let route = RESTRoute(endpoint)
            if route.pattern.hasVariables { patterns.append(route) } else { exact[endpoint.path] = route }
        }
        exactRoutes = exact
        patternRoutes = patterns
    }

    /// Runs on the connection's event loop `loop`, which completes a pending answer.
    func handle(_ request: RESTHTTPRequest, on loop: any EventLoop) -> RESTHandling {
        let path = request.path
        var fields = JSONObject()
        let route: RESTRoute
        if let found = exactRoutes[path] {
            route = found
        } else if let match = matchPattern(path) {
            route = match.route
            fields = match.variables
        } else {
            return .reply(refuse(.notFound, "no endpoint \(path) (configured: \(configuredPaths))", route: nil, path: path))
        }
        let method = request.method
        guard route.allows(method) else {
            var reply = refuse(.methodNotAllowed, "method \(method) is not allowed for \(route.endpoint.path)",
                               route: route, path: path)
            reply.extraHeaders.append(("Allow", route.allowHeader))
            return .reply(reply)
        }
        guard route.authorizes(request.headers) else {
            var reply = refuse(.unauthorized, "wrong or missing credentials", route: route, path: path)
            reply.extraHeaders.append(("WWW-Authenticate", "Basic realm=\"\(identity.name)\", charset=\"UTF-8\""))
            return .reply(reply)
        }
        if let query = request.query { FormDecoding.fields(query, into: &fields) }
        statistics.countRequest(bodyBytes: request.body.readableBytes)
        let contentType = request.headers.first(name: "content-type")
        switch route.endpoint.kind {
        case .uplink(let mapping):
            return uplink(mapping, route: route, method: method, path: path, contentType: contentType,
                          body: request.body, fields: fields, loop: loop)
        case .attributeRequest(let rule):
            return attributeRequest(rule, route: route, method: method, path: path, contentType: contentType,
                                    body: request.body, fields: fields, loop: loop)
        }
    }

    /// The answer to a request whose body is larger than the server's `maxBodySize`.
    func bodyTooLarge(_ request: RESTHTTPRequest, maxBodySize: Int) -> RESTReply {
        let route = exactRoutes[request.path] ?? matchPattern(request.path)?.route
        return refuse(.payloadTooLarge, "body larger than \(maxBodySize) bytes", route: route, path: request.path)
    }

    private func matchPattern(_ path: String) -> (route: RESTRoute, variables: JSONObject)? {
        for route in patternRoutes {
            if let variables = route.pattern.match(path) { return (route, variables) }
        }
        return nil
    }

    private var configuredPaths: String {
        (Array(exactRoutes.keys) + patternRoutes.map(\.endpoint.path)).sorted().joined(separator: ", ")
    }

    // MARK: uplink

    private func uplink(_ mapping: RESTUplinkMapping, route: RESTRoute, method: String, path: String,
                        contentType: String?, body: ByteBuffer, fields: JSONObject, loop: any EventLoop)
        -> RESTHandling
    {
        let receivedAt = WallClock.milliseconds()
        var converted: [ConvertedData] = []
        switch mapping.converter {
        case .json(let converter):
            let records: [JSONValue]
            do {
                records = try RESTRequestRecords.records(method: method, contentType: contentType, body: body,
                                                         fields: fields)
            } catch {
                return .reply(refuse(error.status, error.message, route: route, path: path))
            }
            converted.reserveCapacity(records.count)
            for (position, record) in records.enumerated() {
                do {
                    if let data = try converter.convert(record, receivedAt: receivedAt) { converted.append(data) }
                } catch {
                    let which = records.count > 1 ? "array element \(position): " : ""
                    return .reply(fail(.internalServerError, "cannot convert the request: \(which)\(error.reason)",
                                       route: route, path: path, conversion: true))
                }
            }
        case .custom(let name, let converter):
            let request = RESTUplinkRequest(method: method, path: path, fields: fields, contentType: contentType,
                                            body: body, receivedAt: receivedAt)
            do {
                converted = try converter.convert(request)
            } catch {
                return .reply(fail(.internalServerError, "custom converter \(name) failed: \(error.reason)",
                                   route: route, path: path, conversion: true))
            }
        }
        // Everything converted before anything is sent: a bad element refuses the whole request,
        // so the device can send it again without duplicating the good part.
        for index in converted.indices {
            if converted[index].reportStrategy == nil { converted[index].reportStrategy = mapping.reportStrategy }
            // As the reference: tells ThingsBoard's rule chain that the device waits for an answer.
            if mapping.response.responseExpected { converted[index].attributes["responseExpected"] = true }
        }
        converted.removeAll { $0.isEmpty }
        guard !converted.isEmpty else { return .reply(success(route)) }
        let promise = loop.makePromise(of: RESTReply.self)
        if mapping.response.responseExpected {
            promise.completeWithTask { [self, converted] in
                await deliverAndHold(converted, mapping: mapping, route: route, path: path)
            }
        } else {
            // The readings go to the gateway together, so a refusal is in practice all or nothing:
            // the gateway refuses a named reading with datapoints only when it stops or storage
            // fails, and then it refuses the whole batch.
            deliveries.add(.init(readings: converted, answer: { [self] outcome in
                answer(outcome, route: route, path: path)
            }, promise: promise))
        }
        return .pending(promise.futureResult)
    }

    private func answer(_ outcome: RESTDeliveryQueue.Outcome, route: RESTRoute, path: String) -> RESTReply {
        switch outcome {
        case .accepted:
            return success(route)
        case .rejected(let device, let reason):
            return fail(.internalServerError, "the gateway did not accept the data of \(device): \(reason)",
                        route: route, path: path)
        case .stopping:
            return fail(.serviceUnavailable, "the connector is stopping", route: route, path: path)
        }
    }

    /// For `responseExpected` endpoints: hands the readings to the gateway, then holds the
    /// answer until ThingsBoard's reply.
    private func deliverAndHold(_ converted: [ConvertedData], mapping: RESTUplinkMapping, route: RESTRoute,
                                path: String) async -> RESTReply {
        for data in converted {
            if case .rejected(let reason) = await context.send(data, from: identity) {
                return answer(.rejected(device: data.deviceName, reason: reason), route: route, path: path)
            }
        }
        let device = converted[0].deviceName
        switch await waiters.wait(for: device, timeout: mapping.response.timeout) {
        case .answered(let value):
            return RESTReply(.ok, RESTReplyBody(value))
        case .timedOut:
            return refuse(.requestTimeout, "no answer for device \(device) within \(mapping.response.timeout)",
                          route: route, path: path)
        case .unavailable:
            return fail(.serviceUnavailable, "cannot hold the request (connector stopping or "
                        + "\(waiters.capacity) requests already waiting)", route: route, path: path)
        }
    }

    private func success(_ route: RESTRoute) -> RESTReply { RESTReply(.ok, route.success) }

    // MARK: attribute requests

    private func attributeRequest(_ rule: RESTAttributeRequestRule, route: RESTRoute, method: String, path: String,
                                  contentType: String?, body: ByteBuffer, fields: JSONObject, loop: any EventLoop)
        -> RESTHandling
    {
        let record: JSONValue
        do {
            // As the reference, only the first element of an array body is read.
            record = try RESTRequestRecords.records(method: method, contentType: contentType, body: body,
                                                    fields: fields)[0]
        } catch {
            return .reply(refuse(error.status, error.message, route: route, path: path))
        }
        guard let device = rule.deviceName.text(in: record, keepingUnresolved: false), !device.isEmpty else {
            return .reply(refuse(.badRequest, "deviceNameExpression \(rule.deviceName.source) found nothing in the request",
                                 route: route, path: path))
        }
        var keys: [String] = []
        for expression in rule.attributeNames {
            switch expression.evaluate(in: record) {
            case nil, .null?: continue
            case .array(let names)?: keys += names.compactMap { $0.isNull ? nil : PythonText.str($0) }
            case let value?: keys.append(PythonText.str(value))
            }
        }
        let request = AttributeRequest(deviceName: device, keys: keys, clientScope: rule.clientScope)
        let promise = loop.makePromise(of: RESTReply.self)
        promise.completeWithTask { [self] in await requestAttributes(request, rule: rule, route: route, path: path) }
        return .pending(promise.futureResult)
    }

    /// Asks ThingsBoard, at most the rule's timeout, and answers with what it said.
    private func requestAttributes(_ request: AttributeRequest, rule: RESTAttributeRequestRule, route: RESTRoute,
                                   path: String) async -> RESTReply {
        let device = request.deviceName
        let keys = request.keys
        let outcome: Result<JSONObject, GatewayRequestError>? = await withTaskGroup(
            of: Result<JSONObject, GatewayRequestError>?.self
        ) { group in
            group.addTask { [context, identity] in
                do throws(GatewayRequestError) {
                    return .success(try await context.requestAttributes(request, from: identity))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: rule.timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .success(let values)?:
            // The shape of ThingsBoard's answer, which the reference passes on: one key → "value",
            // several (or all) → "values".
            var answer: JSONObject = ["device": .string(device)]
            if keys.count == 1 {
                answer["value"] = values[keys[0]] ?? .null
            } else {
                answer["values"] = .object(values)
            }
            return RESTReply(.ok, RESTReplyBody(.object(answer)))
        case .failure(.unsupported)?:
            return fail(.serviceUnavailable, "attribute requests are not available (no ThingsBoard connection)",
                        route: route, path: path)
        case .failure(.noAnswer)?, nil:
            return refuse(.requestTimeout, "ThingsBoard did not answer the attribute request for \(device) in time",
                          route: route, path: path)
        }
    }

    // MARK: replies

    /// A request refused for what the caller sent (4xx): the mapping's `unsuccessfulResponse`, else
    /// the reason; logged once per burst at warning.
    private func refuse(_ status: HTTPResponseStatus, _ reason: String, route: RESTRoute?, path: String) -> RESTReply {
        statistics.countError()
        if let suppressed = refusedLog.shouldLog() {
            logger.warning("REST request refused: \(reason)", metadata: [
                "status": "\(status.code)", "path": "\(path)", "suppressedSinceLastLog": "\(suppressed)",
            ])
        }
        return RESTReply(status, route?.failure ?? RESTReplyBody(message: reason))
    }

    /// A request that could not be handled (5xx): logged once per burst at error, by the
    /// converter logger when its conversion failed.
    private func fail(_ status: HTTPResponseStatus, _ reason: String, route: RESTRoute?, path: String,
                      conversion: Bool = false) -> RESTReply {
        statistics.countError()
        if let suppressed = (conversion ? conversionLog : failedLog).shouldLog() {
            (conversion ? converterLogger : logger).error("REST request failed: \(reason)", metadata: [
                "status": "\(status.code)", "path": "\(path)", "suppressedSinceLastLog": "\(suppressed)",
            ])
        }
        return RESTReply(status, route?.failure ?? RESTReplyBody(message: reason))
    }
}
