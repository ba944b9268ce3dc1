import NIOCore
import NIOHTTP1

/// An answer of the REST connector: status, optional body and the few extra headers an answer
/// needs (`Allow`, `WWW-Authenticate`).
struct RESTReply: Sendable {
    var status: HTTPResponseStatus
    var body: RESTReplyBody?
    var extraHeaders: [(name: String, value: String)] = []

    init(_ status: HTTPResponseStatus, _ body: RESTReplyBody? = nil) {
        self.status = status
        self.body = body
    }
}

/// What the endpoint handler makes of a request on the connection's event loop: an answer
/// known at once (refusals, nothing to send), or one that comes once the gateway took the
/// readings (`RESTDeliveryQueue`) or answered (a held `responseExpected` request, an attribute
/// request).
enum RESTHandling {
    case reply(RESTReply)
    case pending(EventLoopFuture<RESTReply>)
}
