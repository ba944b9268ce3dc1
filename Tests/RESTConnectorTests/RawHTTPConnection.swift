#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain TCP connection for what HTTP client libraries do not send: pipelined requests,
/// HTTP/1.0, `Expect: 100-continue` by hand, malformed requests. Blocking calls with a receive
/// timeout, so a server that never answers fails the test instead of hanging it.
final class RawHTTPConnection {
    private let socketDescriptor: Int32

    init(port: Int, receiveTimeoutSeconds: Int = 10) throws {
        socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw TestFailure("socket() failed") }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socketDescriptor)
            throw TestFailure("cannot connect to 127.0.0.1:\(port)")
        }
    }

    deinit { close(socketDescriptor) }

    func send(_ text: String) throws {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeMutableBytes { write(socketDescriptor, $0.baseAddress! + offset, $0.count - offset) }
            guard sent > 0 else { throw TestFailure("send failed") }
            offset += sent
        }
    }

    /// Closes the sending side (a half-close): the server sees the end of its input.
    func shutdownSending() {
        _ = shutdown(socketDescriptor, Int32(SHUT_WR))
    }

    /// Everything until the server closes the connection (or the receive timeout).
    func receiveUntilClosed() -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(socketDescriptor, $0.baseAddress!, $0.count) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Reads until `text` has arrived (or the connection ends or times out); returns all read.
    func receive(until text: String) -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains(text) {
            let count = buffer.withUnsafeMutableBytes { read(socketDescriptor, $0.baseAddress!, $0.count) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
}

/// The status codes of the responses in `text`, in order (each `HTTP/1.x NNN`; a body may end
/// right before the next response, so they are not looked for at line starts).
func statusCodes(in text: String) -> [Int] {
    var codes: [Int] = []
    var rest = Substring(text)
    while let start = rest.range(of: "HTTP/1.") {
        let status = rest[start.upperBound...].dropFirst(2).prefix(3)
        if let code = Int(status) { codes.append(code) }
        rest = rest[start.upperBound...]
    }
    return codes
}
