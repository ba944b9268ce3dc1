import NIOCore
import NIOPosix

// Swift concurrency's jobs run on NIO's event loop threads instead of a second thread pool: every
// socket the gateway serves (HTTP endpoints, MQTT, OPC-UA, Modbus...) is a NIO channel feeding
// async code, and without this each read and each answer hops between the two pools (a context
// switch each way; about a quarter of the REST connector's CPU under load). It must run first,
// on the main thread, before any task exists; it returns false where the runtime has no hook, and
// then everything works as before.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

await IoTGateway.start()
