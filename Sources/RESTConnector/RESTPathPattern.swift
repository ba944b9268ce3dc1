import GatewayKit

/// An endpoint path: literal segments and `{name}` variables (one segment each), as aiohttp
/// routes write them. Matching is exact (no trailing-slash folding), as in aiohttp.
struct RESTPathPattern: Sendable {
    struct Invalid: Error { var reason: String }

    enum Segment: Sendable, Equatable {
        case literal(Substring)
        case variable(String)
    }

    let segments: [Segment]
    var hasVariables: Bool { segments.contains { if case .variable = $0 { return true } else { return false } } }

    init(_ path: String) throws(Invalid) {
        var segments: [Segment] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            if part.first == "{" {
                guard part.last == "}", part.count > 2 else { throw Invalid(reason: "unclosed \"{\" in \"\(part)\"") }
                let name = part.dropFirst().dropLast()
                guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw Invalid(reason: "a variable is written {name} with letters, digits and _ only")
                }
                segments.append(.variable(String(name)))
            } else {
                guard !part.contains("{"), !part.contains("}") else {
                    throw Invalid(reason: "a variable must be a whole segment, like /devices/{name}")
                }
                segments.append(.literal(part))
            }
        }
        self.segments = segments
    }

    /// The variables of `path` when it matches, else nil.
    func match(_ path: String) -> JSONObject? {
        var variables = JSONObject()
        var index = 0
        for part in path.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            guard index < segments.count else { return nil }
            switch segments[index] {
            case .literal(let literal):
                guard literal == part else { return nil }
            case .variable(let name):
                guard !part.isEmpty else { return nil }
                variables[name] = .string(FormDecoding.percentDecoded(part, plusIsSpace: false))
            }
            index += 1
        }
        return index == segments.count ? variables : nil
    }
}
