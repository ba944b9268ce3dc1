"""Per-hop latency of a latency cell, from a loopback capture (tcpdump -w) of both brokers' ports.

A reading travels generator -> external broker -> gateway -> ThingsBoard-side broker -> sink. The harness's
end-to-end latency lumps the four legs together, so a slow reading cannot tell a stall of the gateway from one
of a broker or of the VM. The capture can: this module reassembles every MQTT stream in it, finds each reading's
PUBLISH on each leg (by device and its `temperature`, the generator's per-device sequence number), and reports
per leg p50/p99/max and the split of the slowest readings.

    python3 hops.py run_dir/hops.pcap            # a summary
    hops.hop_stats(path, ext_port, tb_port)      # the same as a dict (compare.py --capture-hops)
"""
import collections
import json
import struct
import sys

PUBLISH, PUBACK = 3, 4


def tcp_segments(path):
    """(time, src port, dst port, tcp seq, tcp flags, payload) of every IPv4 TCP segment in a pcap file."""
    with open(path, "rb") as f:
        header = f.read(24)
        if len(header) < 24:
            return
        nanoseconds = struct.unpack("<I", header[:4])[0] == 0xA1B23C4D
        link = struct.unpack("<I", header[20:24])[0]
        link_header = {1: 14, 113: 16}.get(link, 0)  # Ethernet (lo), Linux cooked, raw
        while True:
            record = f.read(16)
            if len(record) < 16:
                return
            seconds, fraction, captured, _ = struct.unpack("<IIII", record)
            frame = f.read(captured)
            ip = frame[link_header:]
            if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
                continue
            tcp = ip[(ip[0] & 15) * 4:]
            if len(tcp) < 20:
                continue
            src, dst, seq = struct.unpack(">HHI", tcp[:8])
            yield (seconds + fraction / (1e9 if nanoseconds else 1e6), src, dst, seq, tcp[13],
                   tcp[(tcp[12] >> 4) * 4:])


def mqtt_packets(segments):
    """(time, first byte, body) of each MQTT packet of one direction of a connection, stamped with the
    segment that completed it. Retransmitted bytes are skipped; a gap (bytes the capture missed) drops the
    partial packet."""
    buffer, expected = bytearray(), None
    for t, seq, flags, payload in segments:
        if flags & 0x02:  # SYN
            expected = seq + 1
            continue
        if not payload:
            continue
        if expected is None:
            expected = seq
        if seq < expected:
            overlap = expected - seq
            if overlap >= len(payload):
                continue
            payload, seq = payload[overlap:], expected
        elif seq > expected:
            buffer.clear()
        expected = seq + len(payload)
        buffer += payload
        while len(buffer) >= 2:
            length, multiplier, index = 0, 1, 1
            while index < len(buffer):
                byte = buffer[index]
                length += (byte & 127) * multiplier
                multiplier *= 128
                index += 1
                if not byte & 128:
                    break
            else:
                break
            if len(buffer) < index + length:
                break
            yield t, buffer[0], bytes(buffer[index:index + length])
            del buffer[:index + length]


def publishes(path):
    """(time, src port, dst port, topic, payload) of every PUBLISH in the capture, in time order."""
    directions = collections.defaultdict(list)
    for t, src, dst, seq, flags, payload in tcp_segments(path):
        directions[(src, dst)].append((t, seq, flags, payload))
    found = []
    for (src, dst), segments in directions.items():
        for t, first, body in mqtt_packets(segments):
            if first >> 4 != PUBLISH or len(body) < 2:
                continue
            topic_length = struct.unpack(">H", body[:2])[0]
            topic = body[2:2 + topic_length].decode("utf-8", "replace")
            rest = body[2 + topic_length + (2 if (first >> 1) & 3 else 0):]
            start = rest.find(b"{")  # skips MQTT 5 properties, whatever their length
            found.append((t, src, dst, topic, rest[start:] if start >= 0 else b""))
    found.sort(key=lambda p: p[0])
    return found


def readings(payload, topic):
    """(device, sequence) pairs a payload carries: a sensor message, or gateway telemetry of many devices."""
    try:
        document = json.loads(payload)
    except ValueError:
        return []
    if topic.startswith("sensor/"):
        if isinstance(document, dict) and "serialNumber" in document and "temperature" in document:
            return [(document["serialNumber"], float(document["temperature"]))]
        return []
    pairs = []
    if isinstance(document, dict):
        for device, entries in document.items():
            for entry in entries if isinstance(entries, list) else [entries]:
                values = entry.get("values", entry) if isinstance(entry, dict) else {}
                if isinstance(values, dict) and "temperature" in values:
                    pairs.append((device, float(values["temperature"])))
    return pairs


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else None


def hop_stats(path, ext_port, tb_port, slow_ms=20.0):
    """Per leg p50/p99/max in ms, and for each burst of readings slower than `slow_ms` end to end, the
    slowest one's split. Legs: broker_in (generator -> external broker -> gateway), gateway (received ->
    published to the ThingsBoard side), broker_out (-> the sink)."""
    stamps = collections.defaultdict(dict)
    for t, src, dst, topic, payload in publishes(path):
        if topic.startswith("sensor/") and dst == ext_port:
            leg = "sent"
        elif topic.startswith("sensor/") and src == ext_port:
            leg = "received"
        elif topic == "v1/gateway/telemetry" and dst == tb_port:
            leg = "published"
        elif topic == "v1/gateway/telemetry" and src == tb_port:
            leg = "delivered"
        else:
            continue
        for key in readings(payload, topic):
            if len(stamps[key]) == 4:
                continue  # already followed end to end; a later cell in the same capture reuses the key
            if leg == "sent" and "sent" in stamps[key]:
                stamps[key] = {}  # published again before it got through: follow the new one
            stamps[key].setdefault(leg, t)
    complete = sorted((s for s in stamps.values() if len(s) == 4), key=lambda s: s["sent"])
    if not complete:
        return {"hop_readings": 0}
    legs = {"broker_in": ("sent", "received"), "gateway": ("received", "published"),
            "broker_out": ("published", "delivered"), "end_to_end": ("sent", "delivered")}
    result = {"hop_readings": len(complete)}
    for name, (a, b) in legs.items():
        delays = [1000 * (s[b] - s[a]) for s in complete]
        result["hop_%s_p50_ms" % name] = percentile(delays, 0.5)
        result["hop_%s_p99_ms" % name] = percentile(delays, 0.99)
        result["hop_%s_max_ms" % name] = max(delays)
    bursts = []
    for s in complete:
        if 1000 * (s["delivered"] - s["sent"]) <= slow_ms:
            continue
        if bursts and s["sent"] - bursts[-1][-1]["sent"] < 0.3:
            bursts[-1].append(s)
        else:
            bursts.append([s])
    t0 = complete[0]["sent"]
    result["hop_slow_bursts"] = [
        {"at_s": round(worst["sent"] - t0, 3), "readings": len(burst),
         **{name + "_ms": round(1000 * (worst[b] - worst[a]), 2) for name, (a, b) in legs.items()}}
        for burst in bursts for worst in [max(burst, key=lambda s: s["delivered"] - s["sent"])]]
    return result


if __name__ == "__main__":
    if len(sys.argv) not in (2, 4):
        sys.exit("usage: hops.py capture.pcap [external-broker-port ThingsBoard-broker-port]")
    ports = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) == 4 else (1883, 1884)
    stats = hop_stats(sys.argv[1], *ports)
    for key, value in stats.items():
        if key != "hop_slow_bursts":
            print("%-26s %s" % (key, "%.3f" % value if isinstance(value, float) else value))
    for burst in stats.get("hop_slow_bursts", []):
        print("slow burst:", burst)
