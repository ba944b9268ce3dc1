import Foundation

/// What the simulators (modbus-sim, opcua-sim) share with the benchmark that drives them: lines on
/// stdout (READY, counters) and signals — SIGTERM/SIGINT stop, SIGUSR1 prints the counters.
struct SimulatorControl: ~Copyable {
    private let signals: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    /// Arms the signals. The default actions are switched off first, so a signal arriving before
    /// the sources are armed does not kill the process half-started.
    init() {
        let (signals, signalSink) = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingNewest(8))
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT, SIGUSR1] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { signalSink.yield(number) }
            source.resume()
            sources.append(source)
        }
        self.signals = signals
        self.sources = sources
    }

    deinit { sources.forEach { $0.cancel() } }

    /// Runs `ticking` (the once-a-second value changes) until SIGTERM/SIGINT, printing
    /// `counters()` on every SIGUSR1.
    func serve(ticking: @escaping @Sendable () async -> Void, counters: () -> String) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await ticking() }
            for await number in signals {
                if number == SIGUSR1 {
                    Self.emit(counters())
                } else {
                    break
                }
            }
            group.cancelAll()
        }
    }

    static func emit(_ line: String) {
        // Unbuffered: stdout is a pipe to the orchestrator, which waits for each line.
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
