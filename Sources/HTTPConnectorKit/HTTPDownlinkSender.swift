import Expressions
import GatewayKit
import Logging
import NIOHTTP1

/// Renders and sends the requests of `attributeUpdates` and `serverSideRpc` entries.
///
/// Placeholders (reference §4.3): `${deviceName}`, `${deviceType}`, `${attributeKey}`,
/// `${attributeValue}`, `${methodName}`, `${requestId}` (REST: `${restId}`), `${params}`,
/// `${params.<path>}`. In the URL the device name, attribute key and value are percent-encoded
/// (Python `quote`, as the reference) and `${params...}` is plain text; in the body `${params...}`
/// is JSON (a string gets quotes) and `${attributeValue}` is written as the MQTT connector writes
/// it (objects JSON, booleans `true`/`false`, strings without quotes).
public struct HTTPDownlinkSender: Sendable {
    public let clients: HTTPClients
    /// Relative `requestUrlExpression`s are joined to it; nil: a relative URL gets `http://`.
    public let baseURL: String?
    public let logger: Logger

    public init(clients: HTTPClients = .shared, baseURL: String?, logger: Logger) {
        self.clients = clients
        self.baseURL = baseURL
        self.logger = logger
    }

    /// The request `rule` sends in `context` (no I/O).
    public func request(for rule: HTTPDownlinkRule, context: DownlinkContext) -> HTTPOutgoingRequest {
        var urlContext = context
        urlContext.deviceName = HTTPURL.quote(context.deviceName)
        urlContext.attributeKey = context.attributeKey.map(HTTPURL.quote)
        urlContext.attributeValue = context.attributeValue.map { .string(HTTPURL.quote(DownlinkTemplate.formatted($0))) }
        let url = HTTPURL.resolve(rule.urlTemplate.render(urlContext), base: baseURL)
        return HTTPOutgoingRequest(method: rule.httpMethod, url: url, headers: rule.headers,
                                   body: rule.valueTemplate.map { Array($0.render(context).utf8) },
                                   timeout: rule.timeout, tries: rule.tries, followRedirects: rule.allowRedirects,
                                   verifyCertificates: rule.verifyCertificates, security: rule.security)
    }

    /// Sends one rendered request (with the rule's tries) and returns the device's answer,
    /// whatever its status.
    public func send(_ rule: HTTPDownlinkRule, context: DownlinkContext) async throws(HTTPRequestError) -> HTTPReply {
        let outgoing = request(for: rule, context: context)
        logger.debug("HTTP downlink request", metadata: ["method": "\(outgoing.method)", "url": "\(outgoing.url)",
                                                         "rule": "\(rule.configPath)"])
        return try await clients.perform(outgoing, logger: nil)
    }

    // MARK: attribute updates

    /// What happened to one updated key.
    public struct AttributeWrite: Sendable {
        public var key: String
        public var rule: String
        public var url: String
        public var outcome: Result<HTTPReply, HTTPRequestError>
    }

    /// Sends every updated key of `update` through each entry whose filters match it; keys no
    /// entry matches are left out. Writes run one after another, in the update's key order.
    public func apply(_ update: AttributeUpdate, rules: HTTPDownlinkRules) async -> [AttributeWrite] {
        var writes: [AttributeWrite] = []
        for (key, value) in update.values {
            for rule in rules.rules(forAttribute: key, device: update.deviceName) {
                let context = DownlinkContext(deviceName: update.deviceName, attributeKey: key, attributeValue: value)
                let outgoing = request(for: rule, context: context)
                let outcome = await clients.result(of: outgoing)
                writes.append(AttributeWrite(key: key, rule: rule.configPath, url: outgoing.url, outcome: outcome))
            }
        }
        return writes
    }

    // MARK: RPC

    /// Carries out an RPC with `rule` and returns the `data` of the reply to ThingsBoard:
    /// - the device answered 2xx: `{"result": X}`, X the `responseValueExpression` applied to the
    ///   JSON answer (as text, like the reference), else the answer (JSON when it parses, else text);
    /// - an error status: `{"error": "HTTP 500 from <url>", "code": 500, "result": <answer>}`;
    /// - no answer within `responseTimeout` (and ThingsBoard's own timeout):
    ///   `{"result": "RPC timeout", "success": false}` (the reference's reply);
    /// - the request failed (refused, bad certificate, ...): `{"error": "...", "success": false}`.
    public func rpc(_ rule: HTTPDownlinkRule, request: DeviceRPCRequest) async -> JSONValue {
        let context = DownlinkContext(deviceName: request.deviceName, methodName: request.method,
                                      requestId: request.id, params: request.params)
        let wait = min(rule.responseTimeout, request.timeout * 0.9)
        let outgoing = self.request(for: rule, context: context)
        logger.debug("RPC request to device", metadata: ["device": "\(request.deviceName)", "method": "\(request.method)",
                                                          "url": "\(outgoing.url)"])
        let outcome = await withTimeout(wait) { [clients] in await clients.result(of: outgoing) }
        switch outcome {
        case nil:
            logger.warning("RPC \(request.method) to \(request.deviceName): no answer from \(outgoing.url) within \(wait.secondsText)")
            return ["result": "RPC timeout", "success": false]
        case .failure(let error)?:
            logger.warning("RPC \(request.method) to \(request.deviceName) failed: \(error)")
            if case .timedOut = error { return ["result": "RPC timeout", "success": false] }
            return ["error": .string(error.description), "success": false]
        case .success(let reply)?:
            return Self.rpcReplyData(reply, rule: rule, url: outgoing.url)
        }
    }

    /// The reply data for a device's answer (see `rpc`).
    public static func rpcReplyData(_ reply: HTTPReply, rule: HTTPDownlinkRule, url: String) -> JSONValue {
        guard reply.isSuccess else {
            return ["error": .string("HTTP \(reply.status) from \(url)"), "code": .int(Int64(reply.status)),
                    "result": reply.jsonOrText]
        }
        guard let expression = rule.responseValueExpression else { return ["result": reply.jsonOrText] }
        guard let json = try? JSONValue.parse(reply.body) else {
            // Not JSON: nothing to apply the expression to; the reference returns the text.
            return ["result": .string(reply.text)]
        }
        guard let text = expression.text(in: json, keepingUnresolved: false) else {
            return ["error": .string("responseValueExpression \(expression.source) found nothing in the answer"),
                    "success": false]
        }
        return ["result": .string(text)]
    }
}

extension HTTPReply {
    /// The body as JSON when it parses, else as text.
    public var jsonOrText: JSONValue {
        (try? JSONValue.parse(body)) ?? .string(text)
    }
}
