extension ThingsBoardClient {
    /// Runs `body` once for every ThingsBoard session, the first one included, once it is ready;
    /// returns when the calling task is cancelled. A new session shows as a new connect count,
    /// checked every few seconds: work that follows a reconnect (re-publishing the configuration,
    /// re-syncing shared attributes) need not start within milliseconds.
    public nonisolated func onEverySession(_ body: () async -> Void) async {
        var lastSession: Int64 = 0
        while !Task.isCancelled {
            do { try await waitUntilReady() } catch { return }
            let session = await statistics().connects
            if session != lastSession {
                lastSession = session
                await body()
            }
            do { try await Task.sleep(for: .seconds(2)) } catch { return }
        }
    }
}
