import Foundation

/// Signals a command the gateway started (remote shell, statistics commands) together with
/// everything it started in turn. Foundation starts every child as the leader of its own process
/// group, so the group is the command's whole tree (unless something in it left the group).
/// Stopping only the child is not enough: a grandchild keeps the output pipes open, and Foundation
/// reports the command running until they close.
///
/// SIGTERM alone does not stop a command: children inherit the gateway's ignored SIGTERM (the
/// service lifecycle catches it through a dispatch source) and the blocked signal mask of the
/// thread that started them. Callers follow it with SIGKILL.
enum ChildProcessGroup {
    static func signal(_ number: Int32, toGroupOf pid: pid_t) {
        if kill(-pid, number) != 0 { kill(pid, number) }
    }
}
