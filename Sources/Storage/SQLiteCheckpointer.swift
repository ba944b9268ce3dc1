import Dispatch
import GRDB
import Synchronization

/// Copies a database's write-ahead log back into the database file on a background thread, with
/// its own connection, so a transaction on the data path never pays for it.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL pages: it copies
/// those pages and syncs the file (tens of milliseconds here) while the storage actor waits, so
/// every reading in flight waited for it, a few times a second at 1,000 readings/s. The storage's
/// connection asks for a checkpoint here every `pagesPerCheckpoint`
/// pages it writes instead; a PASSIVE checkpoint never blocks the writer.
///
/// The WAL restarts from its beginning only at a commit that finds every frame copied, which a
/// checkpoint running beside continuous commits never achieves: the WAL would grow without end
/// (900 MB in one benchmark, every read slowing down with it). So the storage's connection keeps
/// SQLite's automatic checkpoint with a higher bound, `walPagesBound`: when it triggers, this
/// thread has already copied most frames, the commit copies the rest, and the WAL restarts.
final class SQLiteCheckpointer: Sendable {
    /// WAL pages written between two checkpoint requests (SQLite's own default threshold).
    static let pagesPerCheckpoint = 1000
    /// WAL pages (16 MB) at which a commit checkpoints itself (`wal_autocheckpoint`).
    static let walPagesBound = 4000

    private struct State {
        var running = false
        var requestedAgain = false
        var closed = false
    }

    private let connection: DatabaseQueue
    private let queue: DispatchQueue
    private let state = Mutex(State())

    init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "sqlite-checkpoint"
        connection = try DatabaseQueue(path: path, configuration: configuration)
        queue = DispatchQueue(label: "sqlite-checkpoint")
    }

    /// Starts a checkpoint unless one is running (then one more follows it). Never blocks.
    func request() {
        let start = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            if state.running {
                state.requestedAgain = true
                return false
            }
            state.running = true
            return true
        }
        if start { queue.async { self.runRequested() } }
    }

    private func runRequested() {
        while true {
            // A failed checkpoint (the file is being closed, a busy lock) only leaves the WAL
            // longer; the next request tries again.
            _ = try? connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            let again = state.withLock { state -> Bool in
                if state.requestedAgain && !state.closed {
                    state.requestedAgain = false
                    return true
                }
                state.running = false
                return false
            }
            if !again { return }
        }
    }

    /// Waits for a running checkpoint and closes the connection; later requests do nothing.
    func close() {
        state.withLock { $0.closed = true }
        queue.sync { try? connection.close() }
    }
}
