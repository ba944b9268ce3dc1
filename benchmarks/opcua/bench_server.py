"""OPC-UA benchmark server (asyncua): DEVICES device objects × ITEMS Double variables, every value new each second.

Usage: bench_server.py PORT --devices D --items I
Address space (namespace "http://tbgw.bench", ns=2): Objects/2:Dev00000 … each with 2:SerialNumber (String) and
2:v0 … 2:v<I-1> (Double, NodeId ns=2;s=d<dev>.v<k>). Once a second every variable gets a new value (its index plus
the second), written through the server's internal address space, so the server's own subscription machinery
produces the data changes exactly as for any other write.

Prints "READY opc.tcp://127.0.0.1:PORT/bench/" once listening; on SIGUSR1 prints one JSON line of counters:
{"rounds": n, "writes": n, "late_rounds": n, "last_round_s": s} (a round that took longer than a second is late:
the server, not the gateway, would then be the bottleneck).
"""
import asyncio
import datetime
import json
import signal
import sys
import time

from asyncua import Server, ua


async def main():
    args = sys.argv[1:]
    port = int(args[0])
    devices = int(args[args.index("--devices") + 1])
    items = int(args[args.index("--items") + 1])
    server = Server()
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/bench/")
    server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
    idx = await server.register_namespace("http://tbgw.bench")
    nodes = []
    for d in range(devices):
        dev = await server.nodes.objects.add_object(ua.NodeId("dev%d" % d, idx), ua.QualifiedName("Dev%05d" % d, idx))
        await dev.add_variable(ua.NodeId("d%d.serial" % d, idx), ua.QualifiedName("SerialNumber", idx),
                               "SN-%05d" % (d + 1))
        for k in range(items):
            var = await dev.add_variable(ua.NodeId("d%d.v%d" % (d, k), idx), ua.QualifiedName("v%d" % k, idx),
                                         float(k))
            nodes.append((var.nodeid, float(k)))
    counters = {"rounds": 0, "writes": 0, "late_rounds": 0, "last_round_s": 0.0}

    def report(*_):
        print(json.dumps(counters), flush=True)

    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, report)
    async with server:
        print(f"READY opc.tcp://127.0.0.1:{port}/bench/", flush=True)
        next_tick = time.monotonic()
        while True:
            next_tick += 1.0
            second = int(time.time())
            started = time.monotonic()
            stamp = datetime.datetime.now(datetime.timezone.utc)
            for nodeid, base in nodes:
                await server.write_attribute_value(nodeid, ua.DataValue(
                    ua.Variant(base + second % 1000, ua.VariantType.Double), SourceTimestamp=stamp))
            counters["writes"] += len(nodes)
            counters["rounds"] += 1
            counters["last_round_s"] = round(time.monotonic() - started, 3)
            delay = next_tick - time.monotonic()
            if delay < 0:
                counters["late_rounds"] += 1
                next_tick = time.monotonic()
            else:
                await asyncio.sleep(delay)


if __name__ == "__main__":
    asyncio.run(main())
