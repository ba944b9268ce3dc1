import Foundation
import GatewayKit
@testable import SocketConnector

/// The reference gateway's socket configs (thingsboard_gateway/config/socket.json and the
/// upstream unit-test pair old_config.json / new_config.json), kept here byte for byte so the
/// tests do not depend on the compatibility corpus being checked out next to the project.
enum Fixtures {
    static let referenceSocketJSON = """
    {
      "socket": {"address": "127.0.0.1", "type": "TCP", "port": 50000, "bufferSize": 1024},
      "devices": [
        {
          "address": "*:*", "addressFilter": "*:*", "deviceName": "Device Example", "deviceType": "default",
          "encoding": "utf-8",
          "telemetry": [{"key": "temp", "byteFrom": 0, "byteTo": -1}, {"key": "hum", "byteFrom": 0, "byteTo": 2}],
          "attributes": [{"key": "name", "byteFrom": 0, "byteTo": -1}, {"key": "num", "byteFrom": 2, "byteTo": 4}],
          "attributeRequests": [{"type": "shared", "requestExpression": "${[0:3]==atr}", "attributeNameExpression": "[3:]"}],
          "attributeUpdates": [{"encoding": "utf-16", "attributeOnThingsBoard": "sharedName"}],
          "serverSideRpc": [{"methodRPC": "rpcMethod1", "withResponse": true, "encoding": "utf-8"}]
        }
      ]
    }
    """

    static let newConfigJSON = """
    {
      "socket": {"type": "TCP", "address": "127.0.0.1", "port": 50000, "bufferSize": 1024},
      "devices": [
        {
          "address": "*:*", "deviceName": "Device Example", "deviceType": "default", "encoding": "utf-8",
          "telemetry": [{"key": "temp", "byteFrom": 0, "byteTo": -1}, {"key": "hum", "byteFrom": 0, "byteTo": 2}],
          "attributes": [{"key": "name", "byteFrom": 0, "byteTo": -1}, {"key": "num", "byteFrom": 2, "byteTo": 4}],
          "attributeRequests": [{"type": "shared", "requestExpressionSource": "expression",
                                 "attributeNameExpressionSource": "expression",
                                 "requestExpression": "${[0:3]==atr}", "attributeNameExpression": "[3:]"}],
          "attributeUpdates": [{"encoding": "utf-16", "attributeOnThingsBoard": "sharedName"}],
          "serverSideRpc": [{"methodRPC": "rpcMethod1", "withResponse": true, "encoding": "utf-8"}]
        }
      ]
    }
    """

    static let oldConfigJSON = """
    {
      "type": "TCP", "address": "127.0.0.1", "port": 50000, "bufferSize": 1024,
      "devices": [
        {
          "addressFilter": "*:*", "deviceName": "Device Example", "deviceType": "default", "encoding": "utf-8",
          "telemetry": [{"key": "temp", "byteFrom": 0, "byteTo": -1}, {"key": "hum", "byteFrom": 0, "byteTo": 2}],
          "attributes": [{"key": "name", "byteFrom": 0, "byteTo": -1}, {"key": "num", "byteFrom": 2, "byteTo": 4}],
          "attributeRequests": [{"type": "shared", "requestExpression": "${[0:3]==atr}", "attributeNameExpression": "[3:]"}],
          "attributeUpdates": [{"encoding": "utf-16", "attributeOnThingsBoard": "sharedName"}],
          "serverSideRpc": [{"methodRPC": "rpcMethod1", "withResponse": true, "encoding": "utf-8"}]
        }
      ]
    }
    """

    static func parse(_ text: String, file: String = "socket.json") throws -> SocketConnectorConfiguration {
        try SocketConnectorConfiguration.parse(try JSONValue.parse(text), file: file)
    }

    /// The compatibility corpus next to the project (../shared/compat), when present.
    static var compatDirectory: URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let compat = root.deletingLastPathComponent().appendingPathComponent("shared/compat")
        return FileManager.default.fileExists(atPath: compat.path) ? compat : nil
    }
}
