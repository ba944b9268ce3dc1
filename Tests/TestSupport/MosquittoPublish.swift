import Foundation

/// Publishes one message with the real `mosquitto_pub` client (an independent peer, not our
/// MQTT code), waiting until it has been handed to the broker.
public func mosquittoPublish(port: Int, topic: String, payload: [UInt8], qos: Int = 1, retain: Bool = false) throws {
    let directory = try makeScratchDirectory("mosquitto-pub")
    let payloadFile = directory.appendingPathComponent("payload")
    try Data(payload).write(to: payloadFile)
    var arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-t", topic, "-q", "\(qos)", "-f", payloadFile.path]
    if retain { arguments.append("-r") }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try PeerProcess.resolve("mosquitto_pub"))
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try? FileManager.default.removeItem(at: directory)
    guard process.terminationStatus == 0 else {
        throw PeerUnavailable(what: "mosquitto_pub", hint: "exited with status \(process.terminationStatus) publishing to \(topic)")
    }
}

public func mosquittoPublish(port: Int, topic: String, payload: String, qos: Int = 1, retain: Bool = false) throws {
    try mosquittoPublish(port: port, topic: topic, payload: Array(payload.utf8), qos: qos, retain: retain)
}

/// Publishes each line as one message with one `mosquitto_pub -l` (one connection, in order).
public func mosquittoPublishLines(port: Int, topic: String, lines: [String], qos: Int = 1) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try PeerProcess.resolve("mosquitto_pub"))
    process.arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-t", topic, "-q", "\(qos)", "-l"]
    let input = Pipe()
    process.standardInput = input
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw PeerUnavailable(what: "mosquitto_pub", hint: "exited with status \(process.terminationStatus) publishing lines to \(topic)")
    }
}
