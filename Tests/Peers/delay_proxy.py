"""TCP proxy that delays every chunk by a fixed time in both directions, like a long link.

usage: delay_proxy.py LISTEN_PORT TARGET_PORT DELAY_MS

Chunks keep their order and are not serialised behind each other's delays (each goes out
DELAY_MS after it arrived), so the round trip is 2 x DELAY_MS whatever the traffic.
Prints "ready" once listening.
"""
import asyncio
import sys

from tcp_peer import serve

LISTEN_PORT, TARGET_PORT, DELAY = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) / 1000


async def pipe(reader, writer):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def read():
        while True:
            data = await reader.read(65536)
            await queue.put((loop.time() + DELAY, data))
            if not data:
                return

    async def write():
        while True:
            due, data = await queue.get()
            await asyncio.sleep(max(0, due - loop.time()))
            if not data:
                writer.close()
                return
            writer.write(data)
            await writer.drain()

    try:
        await asyncio.gather(read(), write())
    except (ConnectionError, asyncio.CancelledError):
        writer.close()


async def handle(client_reader, client_writer):
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", TARGET_PORT)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer),
                         return_exceptions=True)


serve(handle, LISTEN_PORT)
