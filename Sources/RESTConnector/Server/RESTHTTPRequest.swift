import NIOCore
import NIOHTTP1

/// One whole HTTP request as the endpoint handler reads it: the request target split into path
/// and query (neither percent-decoded: endpoints match what devices send), the headers and the
/// body (at most the server's `maxBodySize`).
struct RESTHTTPRequest {
    /// Upper-case, e.g. "POST".
    var method: String
    var path: String
    var query: Substring?
    var headers: HTTPHeaders
    var body: ByteBuffer

    init(head: HTTPRequestHead, body: ByteBuffer) {
        method = head.method.rawValue
        (path, query) = Self.split(target: head.uri)
        headers = head.headers
        self.body = body
    }

    /// The path and query of a request target: origin form (`/path?query`) or absolute form
    /// (`http://host:port/path?query`); a fragment is dropped, an empty path is "/".
    static func split(target: String) -> (path: String, query: Substring?) {
        var rest = Substring(target)
        if rest.first != "/", let scheme = rest.range(of: "://") {
            let afterScheme = rest[scheme.upperBound...]
            rest = afterScheme[(afterScheme.firstIndex { $0 == "/" || $0 == "?" } ?? afterScheme.endIndex)...]
        }
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        guard let mark = rest.firstIndex(of: "?") else { return (rest.isEmpty ? "/" : String(rest), nil) }
        let path = rest[..<mark]
        return (path.isEmpty ? "/" : String(path), rest[rest.index(after: mark)...])
    }
}
