"""TCP proxy in front of an MQTT broker that withholds or refuses the broker's PUBACK for some
publishes, as ThingsBoard does for the data of a device it cannot create: ThingsBoard up to
4.2.0 never acknowledges it (the connection and its keep-alive stay up); 4.2.1 and later answer
QUOTA_EXCEEDED (0x97) and keep the session. A rate limit gets the same 0x97, then the session is
closed.

usage: puback_withholding_proxy.py LISTEN_PORT TARGET_PORT MARKER CONNECTIONS [ACTION]

A QoS 1 PUBLISH from the client whose packet contains MARKER (bytes, UTF-8) gets, by ACTION:
withhold (default) no PUBACK (the broker gets the publish); refuse an MQTT 5 PUBACK with reason
code 0x97, the publish is not passed on (a test sees on the broker only what was accepted);
refuse-close that PUBACK, then the connection is closed. Everything else passes
unchanged. CONNECTIONS > 0: only the first CONNECTIONS connections do this, later ones pass
everything (a ThingsBoard that recovered); 0: all do. Prints "ready" once listening and
"withheld <packet id>" or "refused <packet id>" for each PUBACK it drops or replaces.
"""
import asyncio
import sys

from tcp_peer import serve

LISTEN_PORT, TARGET_PORT = int(sys.argv[1]), int(sys.argv[2])
MARKER, CONNECTIONS = sys.argv[3].encode(), int(sys.argv[4])
ACTION = sys.argv[5] if len(sys.argv) > 5 else "withhold"
QUOTA_EXCEEDED = 0x97
connections_seen = 0


class Frames:
    """Splits a byte stream into MQTT control packets (fixed header + remaining length)."""

    def __init__(self):
        self.buffer = bytearray()

    def feed(self, data):
        self.buffer += data
        packets = []
        while True:
            length, multiplier, index = 0, 1, 1
            while True:
                if index >= len(self.buffer):
                    return packets
                byte = self.buffer[index]
                length += (byte & 0x7F) * multiplier
                multiplier *= 128
                index += 1
                if byte & 0x80 == 0:
                    break
            if len(self.buffer) < index + length:
                return packets
            packets.append((bytes(self.buffer[:index + length]), index))
            del self.buffer[:index + length]


def publish_packet_id(packet, header_length):
    """The packet id of a QoS 1/2 PUBLISH, else None."""
    first = packet[0]
    if first >> 4 != 3 or (first >> 1) & 3 == 0:
        return None
    topic_length = int.from_bytes(packet[header_length:header_length + 2], "big")
    start = header_length + 2 + topic_length
    return int.from_bytes(packet[start:start + 2], "big")


async def handle(client_reader, client_writer):
    global connections_seen
    connections_seen += 1
    withholding = CONNECTIONS == 0 or connections_seen <= CONNECTIONS
    withheld = set()
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", TARGET_PORT)
    except OSError:
        client_writer.close()
        return

    async def upstream():
        frames = Frames()
        while data := await client_reader.read(65536):
            for packet, header_length in frames.feed(data):
                packet_id = publish_packet_id(packet, header_length)
                if withholding and packet_id is not None and MARKER in packet:
                    if ACTION != "withhold":
                        print(f"refused {packet_id}", flush=True)
                        client_writer.write(bytes([0x40, 3]) + packet_id.to_bytes(2, "big") + bytes([QUOTA_EXCEEDED]))
                        await client_writer.drain()
                        if ACTION == "refuse-close":
                            client_writer.close()
                            server_writer.close()
                            return
                        continue
                    withheld.add(packet_id)
                server_writer.write(packet)
            await server_writer.drain()
        server_writer.close()

    async def downstream():
        frames = Frames()
        while data := await server_reader.read(65536):
            for packet, header_length in frames.feed(data):
                if packet[0] >> 4 == 4:  # PUBACK
                    packet_id = int.from_bytes(packet[header_length:header_length + 2], "big")
                    if packet_id in withheld:
                        withheld.discard(packet_id)
                        print(f"withheld {packet_id}", flush=True)
                        continue
                client_writer.write(packet)
            await client_writer.drain()
        client_writer.close()

    await asyncio.gather(upstream(), downstream(), return_exceptions=True)
    client_writer.close()
    server_writer.close()


serve(handle, LISTEN_PORT)
