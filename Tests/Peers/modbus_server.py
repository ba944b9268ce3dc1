"""Modbus test peer: a pymodbus 3.16.1 server serving one device.

usage: modbus_server.py MODE WHERE [--values values.json] [--count-up]
  MODE   tcp | udp | rtu | ascii   (tcp/udp listen on 127.0.0.1:WHERE; rtu/ascii open serial port WHERE, 19200 8N1)
  --values  JSON {"unit":1,"co":[...],"di":[...],"hr":[...],"ir":[...]}; each list starts at address 0.
            Defaults: unit 1, co [1,0]*4, di [0,1]*4, hr 100..109, ir 200..209.
  --count-up  HR0/IR0 count up by one on every read that starts at address 0 (a changing value).
Prints "READY" once listening (tcp/udp) or once the serial port is open.
"""
import argparse, asyncio, json, os, signal, sys

# The test runner may start us with SIGTERM blocked or ignored (inherited); stop promptly anyway.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
from pymodbus.simulator import SimData, SimDevice, DataType
from pymodbus.server import StartAsyncTcpServer, StartAsyncUdpServer, StartAsyncSerialServer
from pymodbus.framer import FramerType


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["tcp", "udp", "rtu", "ascii"])
    parser.add_argument("where")
    parser.add_argument("--values")
    parser.add_argument("--count-up", action="store_true")
    return parser.parse_args()


def device(args):
    values = {"unit": 1, "co": [True, False] * 4, "di": [False, True] * 4,
              "hr": [100 + i for i in range(10)], "ir": [200 + i for i in range(10)]}
    if args.values:
        with open(args.values) as f:
            values.update(json.load(f))

    async def count_up(function_code, start_address, address, count, current_registers, set_values):
        if function_code in (3, 4) and address == 0 and start_address == 0:
            current_registers[0] = (current_registers[0] + 1) & 0xFFFF
        return None

    def bits(v):
        return [SimData(0, values=[bool(x) for x in v], datatype=DataType.BITS)]

    def regs(v):
        return [SimData(0, values=[int(x) for x in v], datatype=DataType.REGISTERS)]

    return SimDevice(id=int(values["unit"]), action=count_up if args.count_up else None,
                     simdata=(bits(values["co"]), bits(values["di"]), regs(values["hr"]), regs(values["ir"])))


async def main():
    args = parse()
    context = device(args)
    loop = asyncio.get_running_loop()
    loop.call_later(0.2, lambda: print("READY", flush=True))
    if args.mode == "tcp":
        await StartAsyncTcpServer(context=context, address=("127.0.0.1", int(args.where)))
    elif args.mode == "udp":
        await StartAsyncUdpServer(context=context, address=("127.0.0.1", int(args.where)))
    else:
        framer = FramerType.RTU if args.mode == "rtu" else FramerType.ASCII
        await StartAsyncSerialServer(context=context, framer=framer, port=args.where, baudrate=19200)

asyncio.run(main())
