import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

extension HTTPClients {
    /// Sends `request` (up to `request.tries` times while it gets no answer) and reads the whole
    /// answer. Any status is an answer; the caller decides what an error status means.
    public func perform(_ request: HTTPOutgoingRequest, logger: Logger? = nil) async throws(HTTPRequestError) -> HTTPReply {
        let prepared = try prepare(request)
        let client = client(followingRedirects: request.followRedirects)
        var lastError = HTTPRequestError.failed(url: request.url, reason: "not sent")
        for attempt in 1...max(1, request.tries) {
            do {
                return try await Self.exchange(prepared, request: request, client: client, logger: logger)
            } catch let error as HTTPRequestError {
                lastError = error
            } catch is CancellationError {
                throw .failed(url: request.url, reason: "cancelled")
            } catch {
                lastError = Self.classify(error, request: request)
            }
            if Task.isCancelled { break }
            if attempt < request.tries {
                logger?.debug("HTTP request failed, trying again",
                              metadata: ["url": "\(request.url)", "try": "\(attempt)", "error": "\(lastError)"])
            }
        }
        throw lastError
    }

    /// `perform`'s outcome as a value.
    public func result(of request: HTTPOutgoingRequest, logger: Logger? = nil) async -> Result<HTTPReply, HTTPRequestError> {
        do {
            return .success(try await perform(request, logger: logger))
        } catch {
            return .failure(error)
        }
    }

    private func prepare(_ request: HTTPOutgoingRequest) throws(HTTPRequestError) -> HTTPClientRequest {
        let lowered = request.url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"), URL(string: request.url)?.host != nil else {
            throw .invalidURL(request.url)
        }
        var prepared = HTTPClientRequest(url: request.url)
        prepared.method = HTTPMethod(rawValue: request.method)
        prepared.headers = request.headers
        if case .basic(let username, let password) = request.security {
            let token = Data("\(username):\(password)".utf8).base64EncodedString()
            prepared.headers.replaceOrAdd(name: "Authorization", value: "Basic \(token)")
        }
        if let body = request.body {
            prepared.body = .bytes(ByteBuffer(bytes: body))
        }
        if lowered.hasPrefix("https://") {
            prepared.tlsConfiguration = try Self.tlsConfiguration(for: request)
        }
        return prepared
    }

    private static func exchange(_ prepared: HTTPClientRequest, request: HTTPOutgoingRequest, client: HTTPClient,
                                 logger: Logger?) async throws -> HTTPReply {
        let deadline = NIODeadline.now() + TimeAmount(request.timeout)
        let response = try await client.execute(prepared, deadline: deadline, logger: logger)
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: request.maximumResponseBytes)
        } catch is NIOTooManyBytesError {
            throw HTTPRequestError.responseTooLarge(url: request.url, limit: request.maximumResponseBytes)
        }
        return HTTPReply(status: Int(response.status.code), body: Array(body.readableBytesView))
    }

    private static func classify(_ error: any Error, request: HTTPOutgoingRequest) -> HTTPRequestError {
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout:
                return .timedOut(url: request.url, after: request.timeout)
            case .invalidURL, .emptyHost, .emptyScheme:
                return .invalidURL(request.url)
            default:
                return .failed(url: request.url, reason: "\(clientError)")
            }
        }
        return .failed(url: request.url, reason: "\(error)")
    }

    private static func tlsConfiguration(for request: HTTPOutgoingRequest) throws(HTTPRequestError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if !request.verifyCertificates {
            configuration.certificateVerification = .none
        }
        if case .certificate(let certificateFile, let keyFile) = request.security {
            do {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
            } catch {
                throw .certificate(file: certificateFile, reason: "\(error)")
            }
            let keyPath = keyFile ?? certificateFile
            do {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
            } catch {
                throw .certificate(file: keyPath, reason: "\(error)")
            }
        }
        return configuration
    }
}
