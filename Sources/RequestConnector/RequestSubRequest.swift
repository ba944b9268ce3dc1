import Expressions
import GatewayKit
import HTTPConnectorKit

/// One `subRequests` entry of a mapping: for each record of the answer a second request whose
/// URL takes values from the record (`"/${id}/values"`); the fields of its JSON answer (an
/// object) are added to the record before conversion, so the converter can map them.
///
/// `processingFunction` (Python code in the reference) cannot run here: an entry that has one is
/// not requested, and the connector says so once at start.
public struct RequestSubRequest: Sendable {
    public let key: String
    /// Placeholders are filled from the record; relative URLs are joined to the mapping's URL.
    public let url: ValueExpression
    public let processingFunction: String?

    public var isSupported: Bool { processingFunction == nil }

    static func list(_ mapping: ConfigReader) throws(ConfigError) -> [RequestSubRequest] {
        guard let object = try mapping.child("subRequests") else { return [] }
        var entries: [RequestSubRequest] = []
        for key in object.object.keys {
            guard let entry = try object.child(key) else { continue }
            let text = try entry.string("url", default: nil)
            let url: ValueExpression
            do {
                url = try ValueExpression(text)
            } catch {
                throw entry.failure("url", expected: "a URL template (\(error.reason))", found: .string(text))
            }
            let function = try entry.string("processingFunction", nonEmpty: false).flatMap { $0.isEmpty ? nil : $0 }
            entries.append(RequestSubRequest(key: key, url: url, processingFunction: function))
        }
        return entries
    }

    /// The sub-request's URL for `record`: absolute as rendered, else appended to `parentURL`.
    func resolvedURL(for record: JSONValue, parentURL: String) -> String {
        let rendered = url.text(in: record, keepingUnresolved: true) ?? url.source
        if HTTPURL.isAbsolute(rendered) { return rendered }
        var parent = parentURL
        while parent.hasSuffix("/") { parent.removeLast() }
        return rendered.hasPrefix("/") ? parent + rendered : parent + "/" + rendered
    }
}
