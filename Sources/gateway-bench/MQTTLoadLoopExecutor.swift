import NIOCore

/// Runs tasks on one NIO event loop (SE-0417 task executor preference).
///
/// Why: a publisher task that lives on the same event loop as its MQTT client hands each publish to
/// the client and is resumed by it without any thread switch or wake-up; on the global executor
/// every publish costs two cross-thread hops. On a 2-core box those hops were most of the load
/// generator's CPU.
final class MQTTLoadLoopExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
