// Swift concurrency runs on its default executor. SwiftNIO's take-over of the global executor
// (`NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor`) is
// not used: it finds the runtime's hook with dlsym, which fails in the shipped binary (linked with
// --static-swift-stdlib), so it only ever changed debug builds; and where it did work (a variant
// that linked the hook directly, measured 2026-11-22) a backlog of MQTT ingest starved the
// uplink on the shared event loops, delivering under 500 readings/s for tens of seconds.
await IoTGateway.start()
