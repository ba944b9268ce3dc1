import Foundation

/// Watches what reaches a broker, independently of the code under test: a `mosquitto_sub`
/// process (MQTT 3.1.1, QoS 1, persistent session so nothing is missed across a broker restart)
/// printing `topic payload` lines to a log file that `messages()` parses.
public final class BrokerObserver: @unchecked Sendable {
    // @unchecked: the mutable state (`peers`) is only touched under `lock`.
    public struct Message: Sendable, Equatable {
        public var topic: String
        public var payload: String
    }

    private let port: Int
    private let topics: [String]
    private let clientID: String
    private let directory: URL
    private let lock = NSLock()
    private var peers: [PeerProcess] = []

    public init(port: Int, topics: [String]) throws {
        self.port = port
        self.topics = topics
        self.clientID = "observer-\(UUID().uuidString.prefix(8))"
        self.directory = try makeScratchDirectory("observer")
        try start()
        // mosquitto_sub has subscribed once it connected; give it a moment.
        usleep(300_000)
    }

    /// Starts (again) after a broker restart; the persistent session delivers what was queued.
    public func start() throws {
        var arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-V", "mqttv311", "-q", "1", "-c", "-i", clientID,
                         // Topic and payload separated by a unit separator: topics may contain spaces.
                         "-F", "%t\u{1F}%p"]
        for topic in topics { arguments += ["-t", topic] }
        lock.lock()
        defer { lock.unlock() }
        let log = directory.appendingPathComponent("observer-\(peers.count).log")
        peers.append(try PeerProcess(executable: "mosquitto_sub", arguments: arguments, logFile: log))
    }

    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return peers.last?.isRunning ?? false
    }

    /// Every message seen so far, in order, across restarts.
    public func messages() -> [Message] {
        lock.lock()
        let logs = peers.map(\.logFile)
        lock.unlock()
        var result: [Message] = []
        for log in logs {
            guard let text = try? String(contentsOf: log, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                guard let separator = line.firstIndex(of: "\u{1F}") else { continue }
                result.append(Message(topic: String(line[..<separator]), payload: String(line[line.index(after: separator)...])))
            }
        }
        return result
    }

    public func messages(on topic: String) -> [Message] { messages().filter { $0.topic == topic } }

    public func stop() {
        lock.lock()
        let all = peers
        lock.unlock()
        for peer in all { peer.stop(grace: 2) }
    }

    deinit { stop() }
}
