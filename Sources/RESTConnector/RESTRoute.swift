import Foundation
import GatewayKit
import NIOCore
import NIOHTTP1

/// An endpoint ready for the request path: its path pattern, allowed methods, the expected
/// `Authorization` header and the reply bodies, all prepared once at start.
struct RESTRoute: Sendable {
    let endpoint: RESTEndpoint
    let pattern: RESTPathPattern
    let allowHeader: String
    /// `Basic <base64(user:password)>`'s credential part, for `basic` security.
    let expectedCredentials: String?
    let success: RESTReplyBody?
    let failure: RESTReplyBody?

    init(_ endpoint: RESTEndpoint) {
        self.endpoint = endpoint
        // Validated at config load.
        pattern = (try? RESTPathPattern(endpoint.path)) ?? RESTPathPattern.never
        allowHeader = endpoint.methods.joined(separator: ", ")
        if case .basic(let username, let password) = endpoint.security {
            expectedCredentials = Data("\(username):\(password)".utf8).base64EncodedString()
        } else {
            expectedCredentials = nil
        }
        if case .uplink(let mapping) = endpoint.kind {
            success = mapping.response.successResponse.map(RESTReplyBody.init)
            failure = mapping.response.unsuccessfulResponse.map(RESTReplyBody.init)
        } else {
            success = nil
            failure = nil
        }
    }

    func allows(_ method: String) -> Bool { endpoint.methods.contains(method) }

    /// True when the request's `Authorization` header carries this endpoint's credentials. Takes
    /// the headers, not the header's value, so an anonymous endpoint never looks it up.
    func authorizes(_ headers: HTTPHeaders) -> Bool {
        guard let expectedCredentials else { return true }
        guard let header = headers.first(name: "authorization"), header.count > 6 else { return false }
        let scheme = header.prefix(6)
        guard scheme.lowercased() == "basic " else { return false }
        return Self.constantTimeEquals(header.dropFirst(6).trimmingASCIISpaces().utf8, expectedCredentials.utf8)
    }

    /// Compares without stopping at the first difference, so timing does not reveal the password.
    private static func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(lhs, rhs) { difference |= a ^ b }
        return difference == 0
    }
}

extension RESTPathPattern {
    static let never = try! RESTPathPattern("/\u{0}never")
}

/// A configured reply body (`successResponse`, `unsuccessfulResponse`, an RPC's answer): a
/// string as its text (`text/plain`), any other value as compact JSON (`application/json`).
/// The reference writes Python's `str()` of the value, which is not JSON for objects.
struct RESTReplyBody: Sendable {
    let bytes: ByteBuffer
    let contentType: String

    init(_ value: JSONValue) {
        switch value {
        case .string(let text):
            bytes = ByteBuffer(string: text)
            contentType = "text/plain; charset=utf-8"
        default:
            bytes = ByteBuffer(bytes: value.jsonBytes)
            contentType = "application/json"
        }
    }

    init(message: String) {
        bytes = ByteBuffer(string: message + "\n")
        contentType = "text/plain; charset=utf-8"
    }
}
