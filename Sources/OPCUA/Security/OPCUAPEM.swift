import Foundation

/// Minimal PEM (RFC 7468) text <-> DER for certificates: base64 between BEGIN/END lines.
enum OPCUAPEM {
    static func decode(_ text: String, label: String) throws -> [UInt8] {
        let begin = "-----BEGIN \(label)-----", end = "-----END \(label)-----"
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex) else {
            throw OPCUASecurityError("no \(begin) ... \(end) block")
        }
        let body = text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: String(body)) else {
            throw OPCUASecurityError("the \(label) PEM block is not valid base64")
        }
        return Array(data)
    }

    static func encode(_ der: [UInt8], label: String) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
    }
}
