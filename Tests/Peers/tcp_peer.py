"""The listening part shared by the TCP proxy peers: serve `handle` on 127.0.0.1:port, print
"ready" once listening (what the Swift tests wait for), run until killed."""
import asyncio


def serve(handle, port):
    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        print("ready", flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(main())
