#!/usr/bin/env bash
# One command: the Modbus connector benchmark. swift-iot-gateway polls 500 simulated Modbus TCP devices
# × 30 registers every second (Neuron's published test, 15,000 tags/s), then the Python reference gateway
# and swift-iot-gateway poll a smaller load (25 × 30) with the same config generator and simulator.
#
#   bash benchmarks/modbus/run.sh                          # defaults: 500×30, Python 25×30, 60 s windows
#   bash benchmarks/modbus/run.sh --window 30 --python-devices 50
#   bash benchmarks/modbus/run.sh --help                   # all options (compare.py)
#
# Prerequisites are installed only when missing: refbench's setup.sh (mosquitto, /tmp/tbgw-venv with
# thingsboard-gateway 3.8.5, /tmp/bench-venv with paho-mqtt), and into /tmp/tbgw-venv the pymodbus version
# thingsboard-gateway 3.8.5 pins (3.9.2; the gateway would otherwise pip-install it itself at start-up).
# The release binaries are built only when missing, with exactly the project's release flags.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
source "$ROOT/benchmarks/common/refbench-prereqs.sh"
refbench_prereqs "$ROOT" modbusbench
if ! /tmp/tbgw-venv/bin/python -c "import pymodbus, serial_asyncio, sys; sys.exit(pymodbus.__version__ != '3.9.2')" \
        >/dev/null 2>&1; then
    echo "== installing pymodbus 3.9.2 (pinned by thingsboard-gateway 3.8.5) into /tmp/tbgw-venv" >&2
    /tmp/tbgw-venv/bin/pip install "pymodbus==3.9.2" pyserial pyserial-asyncio >/tmp/modbusbench-pip.log 2>&1
fi

SWIFT_BIN="${SWIFT_BIN:-$ROOT/.build-release/release/iot-gateway}"
SIM_BIN="${SIM_BIN:-$ROOT/.build-release/release/gateway-bench}"
build_release_binaries "$ROOT" iot-gateway:"$SWIFT_BIN" gateway-bench:"$SIM_BIN"

# 500 devices: 500 listeners + 500 connections in the simulator, 500 sockets in the gateway.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

exec /tmp/bench-venv/bin/python "$HERE/compare.py" --refbench "$REFBENCH" --swift-bin "$SWIFT_BIN" \
    --sim-bin "$SIM_BIN" "$@"
