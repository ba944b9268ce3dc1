import GatewayKit
import NIOCore

/// One HTTP request as an uplink converter sees it.
public struct RESTUplinkRequest: Sendable {
    /// Upper-case, e.g. "POST".
    public var method: String
    /// The path as requested (without the query).
    public var path: String
    /// Path variables (`{name}` segments of the endpoint) and query parameters, as text; a query
    /// parameter wins over a path variable of the same name.
    public var fields: JSONObject
    /// The `Content-Type` header, or nil.
    public var contentType: String?
    /// The raw body (at most the server's `maxBodySize`).
    public var body: ByteBuffer
    /// When the request arrived, ms since the Unix epoch.
    public var receivedAt: Int64

    public init(method: String, path: String, fields: JSONObject, contentType: String?, body: ByteBuffer,
                receivedAt: Int64) {
        self.method = method
        self.path = path
        self.fields = fields
        self.contentType = contentType
        self.body = body
        self.receivedAt = receivedAt
    }
}

/// Why a request could not be converted; answered 500 with the mapping's `unsuccessfulResponse`
/// and logged (once per burst).
public struct RESTConversionError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A custom uplink converter (`converter.type: "custom"`, `converter.extension: "<name>"`): turns
/// one raw request into device readings. Register it in `RESTCustomConverters` under the name
/// the config uses. Returning an empty list sends nothing and still answers 200. It runs on the
/// connection's event loop, which serves other connections too: it must not block (no file or
/// network I/O, no sleeping).
public protocol RESTUplinkConverter: Sendable {
    func convert(_ request: RESTUplinkRequest) throws(RESTConversionError) -> [ConvertedData]
}
