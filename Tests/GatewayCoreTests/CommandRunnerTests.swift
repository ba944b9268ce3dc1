import Foundation
@testable import GatewayCore
import Testing

/// The statistics commands' runner: output of a quick command; a slow one is stopped at its timeout
/// together with what it started (a grandchild would otherwise hold the output pipe open).
struct CommandRunnerTests {
    @Test func returnsTheTrimmedOutput() async {
        #expect(await CommandRunner.output(of: ["/bin/sh", "-c", "echo ' 42 '"], timeout: .seconds(5)) == "42")
        #expect(await CommandRunner.output(of: ["/bin/sh", "-c", "exit 3"], timeout: .seconds(5)) == nil)
    }

    @Test func aCommandPastItsTimeoutIsKilledWithItsChildren() async {
        let started = ContinuousClock.now
        // The shell ignores SIGTERM (as children of the gateway do) and leaves a child behind.
        let output = await CommandRunner.output(of: ["/bin/sh", "-c", "trap '' TERM; sleep 30 & sleep 30"],
                                                timeout: .milliseconds(300))
        #expect(output == nil)
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
