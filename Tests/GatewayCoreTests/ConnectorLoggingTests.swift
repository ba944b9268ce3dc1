@testable import GatewayCore
import GatewayKit
import Logging
import Testing

/// A connector file's `logLevel` and `enableRemoteLogging` work as in the reference: its own
/// level, and its records sent to ThingsBoard as `<name>_LOGS` only when it enables that.
struct ConnectorLoggingTests {
    func entry(_ document: JSONValue) -> ConnectorEntry {
        var entry = ConnectorEntry(name: "Line A", type: "mqtt", id: "a", file: "a.json")
        entry.document = document
        return entry
    }

    @Test func theConnectorFilesLevelIsItsLoggersLevel() {
        #expect(entry(["logLevel": "DEBUG"]).logger.logLevel == .debug)
        #expect(entry(["logLevel": "NONE"]).logger.logLevel == .critical)
        #expect(entry(["logLevel": "DEBUG", "enableRemoteLogging": true]).remoteLogLevel == .debug)
        #expect(entry(["logLevel": "DEBUG"]).remoteLogLevel == nil)
        #expect(entry(["enableRemoteLogging": true]).remoteLogLevel == .info)
        #expect(entry(["logLevel": "DEBUG"]).converterLogger.logLevel == .debug)
    }

    /// The reference's converter logger is `<name>_converter`: its records stream as
    /// `<name>_converter_LOGS` when the connector enables remote logging, and its errors count
    /// as the connector's.
    @Test func converterRecordsGoToThingsBoardUnderTheConvertersKey() async {
        let sink = RemoteLogSink()
        sink.setConnectorLogging("Line A", level: .warning)
        sink.note(level: .info, label: "converter", connector: "Line A", message: "below its level")
        sink.note(level: .error, label: "converter", connector: "Line A", message: "not converted")
        var iterator = sink.records.makeAsyncIterator()
        let first = await iterator.next()
        #expect(first?.key == "Line A_converter_LOGS" && first?.line.hasSuffix("not converted") == true && first?.alsoAsLOGS == false)
        #expect(sink.errorCounts() == ["Line A": 1])
    }

    @Test func connectorRecordsGoToThingsBoardOnlyWhenTheConnectorEnablesIt() async {
        let sink = RemoteLogSink()
        sink.setConnectorLogging("Line A", level: .info)
        sink.note(level: .debug, label: "connector", connector: "Line A", message: "below its level")
        sink.note(level: .info, label: "connector", connector: "Line B", message: "not enabled")
        sink.note(level: .warning, label: "service", connector: nil, message: "RemoteLoggingLevel is off")
        sink.note(level: .warning, label: "connector", connector: "Line A", message: "sent")
        sink.remoteLevel = .info
        sink.note(level: .info, label: "service", connector: nil, message: "core record")
        var iterator = sink.records.makeAsyncIterator()
        let first = await iterator.next()
        #expect(first?.key == "Line A_LOGS" && first?.line.hasSuffix("sent") == true && first?.alsoAsLOGS == false)
        let second = await iterator.next()
        #expect(second?.key == "SERVICE_LOGS" && second?.alsoAsLOGS == true)
    }
}
