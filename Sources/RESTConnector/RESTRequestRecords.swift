import GatewayKit
import NIOCore
import NIOHTTP1

/// A request the connector refuses before conversion, with the HTTP status and a message that
/// tells the caller what to fix.
struct RESTRequestProblem: Error, Sendable {
    var status: HTTPResponseStatus
    var message: String
}

/// Turns a request's body and fields (path variables, query parameters) into the records the
/// json converter reads: one JSON object per record. The body is parsed once, without
/// Foundation. Query parameters win over body fields of the same name, as in the reference.
enum RESTRequestRecords {
    static func records(method: String, contentType: String?, body: ByteBuffer, fields: JSONObject)
        throws(RESTRequestProblem) -> [JSONValue]
    {
        // As the reference: a GET body is not read; an empty body adds nothing.
        guard method != "GET", body.readableBytes > 0 else { return try [record([:], fields)] }
        let mediaType = mediaType(of: contentType)
        if mediaType == "application/x-www-form-urlencoded" {
            var form = JSONObject()
            FormDecoding.fields(Substring(String(decoding: body.readableBytesView, as: UTF8.self)), into: &form)
            return try [record(form, fields)]
        }
        if mediaType.hasPrefix("multipart/") {
            throw RESTRequestProblem(status: .unsupportedMediaType,
                                     message: "multipart bodies are not supported; send JSON, form fields or text")
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(body.readableBytesView)
        } catch {
            if mediaType.isEmpty || mediaType == "application/json" || mediaType.hasSuffix("+json") {
                throw RESTRequestProblem(status: .badRequest, message: "body is not valid JSON: \(error)")
            }
            if mediaType.hasPrefix("text/") {
                // The reference's fallback for a body that is not JSON: {"text": body}.
                return try [record(["text": .string(String(decoding: body.readableBytesView, as: UTF8.self))], fields)]
            }
            throw RESTRequestProblem(status: .unsupportedMediaType,
                                     message: "content type \(mediaType) is not supported; send JSON, form fields or text")
        }
        switch document {
        case .object(let object):
            return try [record(object, fields)]
        case .array(let elements):
            guard !elements.isEmpty else {
                throw RESTRequestProblem(status: .badRequest, message: "body is an empty JSON array")
            }
            var records: [JSONValue] = []
            records.reserveCapacity(elements.count)
            for (position, element) in elements.enumerated() {
                guard case .object(let object) = element else {
                    throw RESTRequestProblem(status: .badRequest,
                                             message: "array element \(position) is \(element.kindName), expected an object")
                }
                records.append(try record(object, fields))
            }
            return records
        default:
            throw RESTRequestProblem(status: .badRequest,
                                     message: "body is \(document.kindName), expected an object or an array of objects")
        }
    }

    /// The body's object with the fields laid over it; an empty record is refused with 415, as
    /// the reference does when a request carries no data at all.
    private static func record(_ object: JSONObject, _ fields: JSONObject) throws(RESTRequestProblem) -> JSONValue {
        var object = object
        for (key, value) in fields { object[key] = value }
        guard !object.isEmpty else {
            throw RESTRequestProblem(status: .unsupportedMediaType,
                                     message: "request carries no data: send a JSON object, form fields or query parameters")
        }
        return .object(object)
    }

    /// `application/json; charset=utf-8` → `application/json`; nil → "". Runs on every request:
    /// the usual header (a lowercase type without parameters) is returned as it is, without
    /// splitting or lowercasing (those were 2 % of the connector's CPU under load).
    static func mediaType(of contentType: String?) -> String {
        guard let contentType else { return "" }
        let bytes = contentType.utf8
        let typeEnd = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
        let type = contentType[..<typeEnd]
        let isPlain = type.utf8.allSatisfy { byte in
            byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") && !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }
        if isPlain { return typeEnd == bytes.endIndex ? contentType : String(type) }
        return type.trimmingASCIISpaces().lowercased()
    }
}

extension Substring {
    func trimmingASCIISpaces() -> Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return text
    }
}
