import Foundation

/// Python field-device peers (pymodbus, ...) live in `.venv-peers/` at the project root, made by
/// `scripts/install-test-peers.sh`; their scripts live in `Tests/Peers/`.
public enum PythonPeer {
    /// The project root, found from this source file's place in the tree.
    public static let projectRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The venv's interpreter; throws `PeerUnavailable` (tests fail, never skip) when absent.
    public static func python() throws -> String {
        let path = projectRoot.appendingPathComponent(".venv-peers/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw PeerUnavailable(what: ".venv-peers/bin/python",
                                  hint: "run scripts/install-test-peers.sh (bash .ci/run does)")
        }
        return path
    }

    /// A script in `Tests/Peers/`.
    public static func script(_ name: String) -> String {
        projectRoot.appendingPathComponent("Tests/Peers/\(name)").path
    }

    /// Starts `Tests/Peers/<script>` with the venv's python, logging to `logFile`.
    public static func start(_ script: String, arguments: [String], logFile: URL) throws -> PeerProcess {
        try PeerProcess(executable: python(), arguments: ["-u", self.script(script)] + arguments,
                        logFile: logFile)
    }
}
