import Foundation
import ServiceLifecycle
import Synchronization

/// Lets the gateway's RPCs stop or restart the process gracefully: the running `ServiceGroup`
/// is attached once it exists; a restart request stops it (connectors, then storage flush, then
/// the session) and `GatewayRuntime` then replaces the process with a fresh copy of itself.
final class GatewayControl: Sendable {
    private struct State {
        var group: ServiceGroup?
        var restartRequested = false
    }

    private let state = Mutex(State())

    func attach(_ group: ServiceGroup) { state.withLock { $0.group = group } }

    var restartRequested: Bool { state.withLock { $0.restartRequested } }

    /// Stops the gateway gracefully and, once stopped, starts it again with the same arguments.
    func restart() async {
        let group = state.withLock { state -> ServiceGroup? in
            state.restartRequested = true
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }

    /// Replaces this process with a new run of the same executable and arguments.
    static func execSelf() -> Never {
        let arguments = CommandLine.arguments
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? arguments[0]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv(executable, &argv)
        // Only reached when exec failed: exit non-zero so a service manager restarts us.
        perror("iot-gateway: restart failed")
        exit(1)
    }
}
