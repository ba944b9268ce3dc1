import GatewayKit
import NIOCore
@testable import RESTConnector
import Testing

/// Body → records, the part of the request path that decides 400/415: byte fixtures.
struct RequestRecordsTests {
    private func records(_ body: String, type: String? = "application/json", method: String = "POST",
                         fields: JSONObject = [:]) throws(RESTRequestProblem) -> [JSONValue] {
        try RESTRequestRecords.records(method: method, contentType: type, body: ByteBuffer(string: body), fields: fields)
    }

    private func problem(_ body: String, type: String? = "application/json", method: String = "POST",
                         fields: JSONObject = [:]) -> RESTRequestProblem? {
        do {
            _ = try records(body, type: type, method: method, fields: fields)
            return nil
        } catch {
            return error
        }
    }

    @Test func objectsArraysAndQueryFields() throws {
        #expect(try records(#"{"a": 1}"#, fields: ["q": "x"]) == [["a": 1, "q": "x"]])
        #expect(try records(#"{"a": 1}"#, fields: ["a": "query wins"]) == [["a": "query wins"]])
        #expect(try records(#"[{"a": 1}, {"a": 2}]"#) == [["a": 1], ["a": 2]])
        #expect(try records(#"{"a": 1}"#, type: "application/json; charset=utf-8") == [["a": 1]])
        #expect(try records(#"{"a": 1}"#, type: nil) == [["a": 1]])
        #expect(try records(#"{"a": 1}"#, type: "application/vnd.thing+json") == [["a": 1]])
        // JSON in a text body is still JSON, as aiohttp's request.json() reads it.
        #expect(try records(#"{"a": 1}"#, type: "text/plain") == [["a": 1]])
    }

    @Test func mediaTypeIgnoresParametersCaseAndSpaces() {
        #expect(RESTRequestRecords.mediaType(of: nil) == "")
        #expect(RESTRequestRecords.mediaType(of: "application/json") == "application/json")
        #expect(RESTRequestRecords.mediaType(of: "application/json;charset=utf-8") == "application/json")
        #expect(RESTRequestRecords.mediaType(of: "Application/JSON; charset=utf-8") == "application/json")
        #expect(RESTRequestRecords.mediaType(of: " text/plain\t; x=1") == "text/plain")
        #expect(RESTRequestRecords.mediaType(of: "APPLICATION/X-WWW-FORM-URLENCODED") == "application/x-www-form-urlencoded")
        #expect(RESTRequestRecords.mediaType(of: "; charset=utf-8") == "")
    }

    @Test func formTextAndGet() throws {
        #expect(try records("a=1&b=x+y%21&c", type: "application/x-www-form-urlencoded") == [["a": "1", "b": "x y!", "c": ""]])
        #expect(try records("hello", type: "text/plain") == [["text": "hello"]])
        // A GET body is not read; the query is the data.
        #expect(try records("ignored", method: "GET", fields: ["a": "1"]) == [["a": "1"]])
    }

    @Test func refusals() {
        #expect(problem(#"{"a": 1"#)?.status == .badRequest)
        #expect(problem(#"{"a": 1"#)?.message.contains("not valid JSON") == true)
        #expect(problem(#"{"a": 1"#, type: nil)?.status == .badRequest)
        #expect(problem("[]")?.status == .badRequest)
        #expect(problem(#"[{"a": 1}, 2]"#)?.message == "array element 1 is a number, expected an object")
        #expect(problem("true")?.status == .badRequest)
        #expect(problem("\u{1}", type: "application/octet-stream")?.status == .unsupportedMediaType)
        #expect(problem("--b", type: "multipart/form-data; boundary=b")?.status == .unsupportedMediaType)
        #expect(problem("", method: "GET")?.status == .unsupportedMediaType) // no data at all
        #expect(problem("{}")?.status == .unsupportedMediaType)
    }

    @Test func percentDecoding() {
        #expect(FormDecoding.percentDecoded("a%20b+c", plusIsSpace: true) == "a b c")
        #expect(FormDecoding.percentDecoded("a%20b+c", plusIsSpace: false) == "a b+c")
        #expect(FormDecoding.percentDecoded("bad%zz%", plusIsSpace: true) == "bad%zz%")
        #expect(FormDecoding.percentDecoded("%C3%A9", plusIsSpace: true) == "é")
    }

    @Test func pathPatterns() throws {
        let pattern = try RESTPathPattern("/devices/{name}/data")
        #expect(pattern.match("/devices/pump%201/data") == ["name": "pump 1"])
        #expect(pattern.match("/devices//data") == nil)
        #expect(pattern.match("/devices/pump/data/x") == nil)
        #expect(pattern.match("/devices/pump") == nil)
        #expect(throws: RESTPathPattern.Invalid.self) { try RESTPathPattern("/a{b}") }
    }
}
