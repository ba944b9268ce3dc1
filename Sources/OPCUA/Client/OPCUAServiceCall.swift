/// One service call on a connection: fills the request header (session token, handle, timestamp,
/// timeoutHint) and turns a ServiceFault or a bad serviceResult into `OPCUAClientError.serviceFailed`.
enum OPCUAServiceCall {
    static func call<R: OPCUARequest>(
        _ request: R, on connection: OPCUAConnection, authenticationToken: NodeId, handle: UInt32, timeout: Duration
    ) async throws -> R.Response {
        var request = request
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        request.requestHeader = RequestHeader(
            authenticationToken: authenticationToken, timestamp: .now, requestHandle: handle,
            timeoutHint: UInt32(clamping: milliseconds))
        switch try await connection.request(request, timeout: timeout) {
        case let .fault(fault):
            throw OPCUAClientError.serviceFailed(service: serviceName(R.self), status: fault.responseHeader.serviceResult)
        case let .response(response):
            let status = response.responseHeader.serviceResult
            guard !status.isBad else { throw OPCUAClientError.serviceFailed(service: serviceName(R.self), status: status) }
            return response
        }
    }

    /// "ReadRequest" → "Read": what a user reads in an error.
    static func serviceName<R>(_ type: R.Type) -> String {
        let name = "\(type)"
        return name.hasSuffix("Request") ? String(name.dropLast("Request".count)) : name
    }
}
