import Foundation

/// What a finished tool printed and how it exited.
public struct ToolRun: Sendable {
    public var status: Int32
    /// Standard output, followed by standard error when asked for.
    public var output: String
}

/// Runs a tool to completion (test helper). Standard error is discarded unless
/// `includeStandardError`, then it is appended to the output.
@discardableResult
public func runTool(_ executable: String, _ arguments: [String], includeStandardError: Bool = false) throws -> ToolRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = includeStandardError ? pipe : FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ToolRun(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
}
