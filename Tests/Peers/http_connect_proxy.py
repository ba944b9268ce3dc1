"""HTTP proxy that only does CONNECT tunnels, like a corporate proxy in front of ThingsBoard.

usage: http_connect_proxy.py LISTEN_PORT [ALLOWED_PORT]

Prints "ready" once listening and "CONNECT <authority>" for each tunnel asked for. With
ALLOWED_PORT, a CONNECT to any other port is answered "403 Forbidden" and closed.
"""
import asyncio
import sys

from tcp_peer import serve

LISTEN_PORT = int(sys.argv[1])
ALLOWED_PORT = int(sys.argv[2]) if len(sys.argv) > 2 else None


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer):
    head = await client_reader.readuntil(b"\r\n\r\n")
    method, authority, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
    print(f"{method} {authority}", flush=True)
    host, _, port = authority.rpartition(":")
    if method != "CONNECT" or (ALLOWED_PORT is not None and int(port) != ALLOWED_PORT):
        client_writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        await client_writer.drain()
        client_writer.close()
        return
    try:
        server_reader, server_writer = await asyncio.open_connection(host.strip("[]"), int(port))
    except OSError:
        client_writer.write(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
        client_writer.close()
        return
    client_writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
    await client_writer.drain()
    await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))


serve(handle, LISTEN_PORT)
