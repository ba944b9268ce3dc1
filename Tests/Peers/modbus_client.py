"""One-shot pymodbus 3.16.1 client for tests: reads or writes a server and prints JSON.

usage: modbus_client.py PORT UNIT OP ADDRESS [COUNT_OR_VALUE]
  OP: hr | ir | co | di (read COUNT), whr (write one register VALUE), wco (write one coil 0/1)
Prints {"ok": true, "values": [...]} or {"ok": false, "error": "..."}.
"""
import json
import sys

from pymodbus.client import ModbusTcpClient

port, unit, op, address = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
arg = int(sys.argv[5]) if len(sys.argv) > 5 else 1
client = ModbusTcpClient("127.0.0.1", port=port, timeout=3)
if not client.connect():
    print(json.dumps({"ok": False, "error": "cannot connect"}))
    sys.exit(0)
try:
    if op == "hr":
        reply = client.read_holding_registers(address, count=arg, device_id=unit)
    elif op == "ir":
        reply = client.read_input_registers(address, count=arg, device_id=unit)
    elif op == "co":
        reply = client.read_coils(address, count=arg, device_id=unit)
    elif op == "di":
        reply = client.read_discrete_inputs(address, count=arg, device_id=unit)
    elif op == "whr":
        reply = client.write_register(address, arg, device_id=unit)
    elif op == "wco":
        reply = client.write_coil(address, bool(arg), device_id=unit)
    else:
        raise SystemExit(f"unknown op {op}")
    if reply.isError():
        print(json.dumps({"ok": False, "error": str(reply)}))
    elif op in ("hr", "ir"):
        print(json.dumps({"ok": True, "values": list(reply.registers)}))
    elif op in ("co", "di"):
        print(json.dumps({"ok": True, "values": [bool(b) for b in reply.bits[:arg]]}))
    else:
        print(json.dumps({"ok": True, "values": []}))
finally:
    client.close()
