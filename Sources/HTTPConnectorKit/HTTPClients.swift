import AsyncHTTPClient
import NIOCore

/// The HTTP clients requests to devices go through. Following redirects is a client setting in
/// AsyncHTTPClient, not a request one, so there are two: one that follows (`allowRedirects: true`)
/// and one that does not. Both pool connections per host.
///
/// `shared` lives as long as the process (a static is never deinitialised, so it needs no
/// shutdown); connectors use it unless a test hands them their own pair.
public struct HTTPClients: Sendable {
    public let following: HTTPClient
    public let direct: HTTPClient

    public static let shared = HTTPClients()

    public init(eventLoopGroup: any EventLoopGroup = HTTPClient.defaultEventLoopGroup) {
        following = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: Self.configuration(followingRedirects: true))
        direct = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: Self.configuration(followingRedirects: false))
    }

    public func client(followingRedirects: Bool) -> HTTPClient {
        followingRedirects ? following : direct
    }

    /// Only for pairs made with `init`; never call it on `shared`.
    public func shutdown() async throws {
        try await following.shutdown()
        try await direct.shutdown()
    }

    private static func configuration(followingRedirects: Bool) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = followingRedirects ? .follow(max: 10, allowCycles: false) : .disallow
        // Devices are often slow to accept; each request's own deadline bounds the wait instead.
        configuration.timeout = .init(connect: .seconds(30))
        configuration.decompression = .disabled
        return configuration
    }
}
