import NIOHTTP1

/// One request to a device, fully rendered: what the Request connector polls and what an
/// attribute update or RPC sends.
public struct HTTPOutgoingRequest: Sendable {
    /// Upper-case method name ("GET", "POST", ...).
    public var method: String
    /// An absolute `http://` or `https://` URL.
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// How long one try may take, connecting and reading the whole answer included.
    public var timeout: Duration
    /// How many times the request is sent when it fails without an answer (refused, timed out).
    /// An answer with an error status is an answer and is not retried.
    public var tries: Int
    public var followRedirects: Bool
    /// false: any server certificate is accepted (`SSLVerify: false`).
    public var verifyCertificates: Bool
    public var security: HTTPSecurity
    /// A larger answer fails the request instead of filling memory.
    public var maximumResponseBytes: Int

    public static let defaultMaximumResponseBytes = 16 * 1024 * 1024

    public init(method: String = "GET", url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil,
                timeout: Duration = .seconds(1), tries: Int = 1, followRedirects: Bool = false,
                verifyCertificates: Bool = true, security: HTTPSecurity = .anonymous,
                maximumResponseBytes: Int = HTTPOutgoingRequest.defaultMaximumResponseBytes) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.tries = tries
        self.followRedirects = followRedirects
        self.verifyCertificates = verifyCertificates
        self.security = security
        self.maximumResponseBytes = maximumResponseBytes
    }
}

/// A device's answer.
public struct HTTPReply: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    /// 2xx, as Python `requests`' `response.ok` (which also accepts 3xx; a redirect that was
    /// not followed carries no data, so it counts as a failure here).
    public var isSuccess: Bool { (200..<300).contains(status) }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request got no answer.
public enum HTTPRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case timedOut(url: String, after: Duration)
    case failed(url: String, reason: String)
    case responseTooLarge(url: String, limit: Int)
    /// The TLS client certificate or key of `security: cert` could not be read.
    case certificate(file: String, reason: String)

    public var description: String {
        switch self {
        case .invalidURL(let url): return "invalid URL \"\(url)\""
        case .timedOut(let url, let after): return "no answer from \(url) within \(after.secondsText)"
        case .failed(let url, let reason): return "request to \(url) failed: \(reason)"
        case .responseTooLarge(let url, let limit): return "answer from \(url) is larger than \(limit) bytes"
        case .certificate(let file, let reason): return "cannot use TLS client certificate \(file): \(reason)"
        }
    }
}

extension Duration {
    /// "0.5 s", "3 s": as configs write timeouts.
    var secondsText: String {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        if seconds == seconds.rounded() { return "\(Int64(seconds)) s" }
        return "\((seconds * 1000).rounded() / 1000) s"
    }

    /// A timeout in seconds as configs write it (`0.5`), at millisecond precision.
    public static func configSeconds(_ seconds: Double) -> Duration {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
